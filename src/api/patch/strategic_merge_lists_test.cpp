// Strategic merge patch: lists. Merging by key, scalar sets, the directives in
// and beside lists, and the order of the result (upstream's "preserve order"
// scenarios), with data of our own.
#include "api/patch/strategic_merge_test_support.h"

namespace kcpp::patch::testing {
namespace {

TEST_F(StrategicMergeTest, MergingListMergesItemsByKey) {
  EXPECT_MERGED(merge(R"({"mergingList":[{"name":"a","value":"1"},{"name":"b","value":"2"}]})",
                      R"({"mergingList":[{"name":"b","value":"3","other":"x"}]})"),
                R"({"mergingList":[{"name":"a","value":"1"},{"name":"b","value":"3","other":"x"}]})");
  // Nested fields merge too (null deletes inside an item).
  EXPECT_MERGED(merge(R"({"mergingList":[{"name":"a","value":"1","other":"o"}]})",
                      R"({"mergingList":[{"name":"a","other":null}]})"),
                R"({"mergingList":[{"name":"a","value":"1"}]})");
}

TEST_F(StrategicMergeTest, NewItemsComeFirstWithoutAnOrderDirective) {
  const char* original = R"({"mergingList":[{"name":"a"},{"name":"b"}]})";
  EXPECT_MERGED(merge(original, R"({"mergingList":[{"name":"c","value":"3"}]})"),
                R"({"mergingList":[{"name":"c","value":"3"},{"name":"a"},{"name":"b"}]})");
  EXPECT_MERGED(merge(original, R"({"mergingList":[{"name":"b","value":"9"},{"name":"c"}]})"),
                R"({"mergingList":[{"name":"a"},{"name":"b","value":"9"},{"name":"c"}]})");
  EXPECT_MERGED(merge(original, R"({"mergingList":[{"name":"c"},{"name":"a","value":"9"}]})"),
                R"({"mergingList":[{"name":"c"},{"name":"a","value":"9"},{"name":"b"}]})");
}

TEST_F(StrategicMergeTest, DeleteDirectiveInMergingList) {
  EXPECT_MERGED(merge(R"({"mergingList":[{"name":"a"},{"name":"b"},{"name":"c"}]})",
                      R"({"mergingList":[{"name":"b","$patch":"delete"}]})"),
                R"({"mergingList":[{"name":"a"},{"name":"c"}]})");
  // Every item with the key goes.
  EXPECT_MERGED(merge(R"({"mergingList":[{"name":"x"},{"name":"x"},{"name":"y","value":"v"},{"name":"z"},{"name":"z"}]})",
                      R"({"mergingList":[{"name":"x","$patch":"delete"},{"name":"z","$patch":"delete"}]})"),
                R"({"mergingList":[{"name":"y","value":"v"}]})");
  EXPECT_MERGED(merge(R"({"mergingList":[{"name":"a"}]})", R"({"mergingList":[{"name":"q","$patch":"delete"}]})"),
                R"({"mergingList":[{"name":"a"}]})");
  EXPECT_MERGED(merge(R"({"mergingList":[{"name":"a"},{"name":"b"}]})",
                      R"({"mergingList":[{"name":"c"},{"name":"a","$patch":"delete"}]})"),
                R"({"mergingList":[{"name":"c"},{"name":"b"}]})");
  EXPECT_EQ(merge(R"({"mergingList":[{"name":"a"}]})", R"({"mergingList":[{"$patch":"delete","value":"1"}]})"),
            "error 500: map: map[$patch:delete value:1] does not contain declared merge key: name");
}

TEST_F(StrategicMergeTest, ReplaceDirectiveInMergingList) {
  EXPECT_MERGED(merge(R"({"mergingList":[{"name":"a"},{"name":"b"}]})",
                      R"({"mergingList":[{"$patch":"replace"},{"name":"c","value":"1"}]})"),
                R"({"mergingList":[{"name":"c","value":"1"}]})");
  EXPECT_MERGED(merge(R"({"mergingList":[{"name":"a"}]})", R"({"mergingList":[{"$patch":"replace"}]})"),
                R"({"mergingList":[]})");
  EXPECT_EQ(merge(R"({"mergingList":[{"name":"a"}]})", R"({"mergingList":[{"$patch":"merge"}]})"),
            "error 500: merging lists cannot yet be specified in the patch");
  EXPECT_EQ(merge(R"({"mergingList":[{"name":"a"}]})", R"({"mergingList":[{"$patch":"foo","name":"a"}]})"),
            "error 500: unknown patch type: foo in map: map[$patch:foo name:a]");
}

TEST_F(StrategicMergeTest, MergingListItemsNeedTheKey) {
  EXPECT_EQ(merge(R"({"mergingList":[{"name":"a","value":"x"}]})", R"({"mergingList":[{"value":"b"}]})"),
            "error 500: map: map[value:b] does not contain declared merge key: name");
  EXPECT_EQ(merge(R"({"keylessMergingList":[{"name":"a"}]})", R"({"keylessMergingList":[{"name":"b"}]})"),
            "error 500: cannot merge lists without merge key for struct");
}

TEST_F(StrategicMergeTest, ListsWithoutMergeStrategyAreReplaced) {
  EXPECT_MERGED(merge(R"({"nonMergingList":[{"name":"a","value":"1"},{"name":"b"}]})",
                      R"({"nonMergingList":[{"name":"a","other":"2"}]})"),
                R"({"nonMergingList":[{"name":"a","other":"2"}]})");
  // x-kubernetes-list-type=map alone does not make a list merge: upstream reads
  // only the patch strategy.
  EXPECT_MERGED(merge(R"({"mapList":[{"name":"a"},{"name":"b"}]})", R"({"mapList":[{"name":"c"}]})"),
                R"({"mapList":[{"name":"c"}]})");
  EXPECT_MERGED(merge(R"({"nonMergingIntList":[1,2]})", R"({"nonMergingIntList":[3]})"),
                R"({"nonMergingIntList":[3]})");
}

TEST_F(StrategicMergeTest, MergingScalarListsAreSets) {
  EXPECT_MERGED(merge(R"({"mergingIntList":[1,2]})", R"({"mergingIntList":[2,3]})"), R"({"mergingIntList":[1,2,3]})");
  EXPECT_MERGED(merge(R"({"mergingIntList":[1,2]})", R"({"mergingIntList":[3]})"), R"({"mergingIntList":[3,1,2]})");
  EXPECT_MERGED(merge(R"({"mergingIntList":[]})", R"({"mergingIntList":[]})"), R"({"mergingIntList":[]})");
  EXPECT_MERGED(merge(R"({"mergingList":[]})", R"({"mergingList":[]})"), R"({"mergingList":[]})");
}

TEST_F(StrategicMergeTest, DeleteFromPrimitiveList) {
  EXPECT_MERGED(merge(R"({"mergingIntList":[1,2,3]})", R"({"$deleteFromPrimitiveList/mergingIntList":[2]})"),
                R"({"mergingIntList":[1,3]})");
  EXPECT_MERGED(merge(R"({"nonMergingIntList":[1,2,3]})", R"({"$deleteFromPrimitiveList/nonMergingIntList":[2]})"),
                R"({"nonMergingIntList":[1,3]})");
  EXPECT_MERGED(merge(R"({"mergingIntList":[1,2]})", R"({"$deleteFromPrimitiveList/mergingIntList":[4]})"),
                R"({"mergingIntList":[1,2]})");
  EXPECT_MERGED(merge(R"({"mergingIntList":[]})", R"({"$deleteFromPrimitiveList/mergingIntList":[4]})"),
                R"({"mergingIntList":[]})");
  EXPECT_MERGED(merge(R"({"name":"a"})", R"({"$deleteFromPrimitiveList/mergingIntList":[1]})"), R"({"name":"a"})");
  EXPECT_MERGED(merge(R"({"mergingIntList":[1,2]})",
                      R"({"mergingIntList":[3],"$deleteFromPrimitiveList/mergingIntList":[1]})"),
                R"({"mergingIntList":[3,2]})");
  EXPECT_EQ(merge(R"({"mergingIntList":[1]})", R"({"$deleteFromPrimitiveListmergingIntList":[1]})"),
            "error 400: invalid patch format of primitive list");
}

TEST_F(StrategicMergeTest, SetElementOrderWithServerOnlyItems) {
  // The patch's items in the asked order; a live-only item stays after the
  // item that preceded it in the live list.
  EXPECT_MERGED(
      merge(R"({"mergingList":[{"name":"a","other":"x"},{"name":"b","value":"b"},{"name":"s"},
                               {"name":"c","value":"c"},{"name":"d","value":"d"}]})",
            R"({"$setElementOrder/mergingList":[{"name":"b"},{"name":"a"},{"name":"d"},{"name":"c"}]})"),
      R"({"mergingList":[{"name":"b","value":"b"},{"name":"a","other":"x"},{"name":"s"},
                         {"name":"d","value":"d"},{"name":"c","value":"c"}]})");
  EXPECT_MERGED(merge(R"({"mergingIntList":[1,3,4,2,9]})", R"({"$setElementOrder/mergingIntList":[4,2,3,1]})"),
                R"({"mergingIntList":[4,2,3,1,9]})");
  EXPECT_MERGED(merge(R"({"mergingIntList":[1,2,7,9,8,3,4]})", R"({"$setElementOrder/mergingIntList":[2,1,4,3]})"),
                R"({"mergingIntList":[2,1,7,9,8,4,3]})");
}

TEST_F(StrategicMergeTest, SetElementOrderWithAddedItems) {
  EXPECT_MERGED(merge(R"({"mergingList":[{"name":"a","other":"x"},{"name":"b","value":"b","other":"y"}]})",
                      R"({"$setElementOrder/mergingList":[{"name":"c"},{"name":"a"},{"name":"b"}],
                          "mergingList":[{"name":"c","value":"c"}]})"),
                R"({"mergingList":[{"name":"c","value":"c"},{"name":"a","other":"x"},
                                   {"name":"b","value":"b","other":"y"}]})");
  // An order entry that neither list has is ignored.
  EXPECT_MERGED(merge(R"({"mergingList":[{"name":"a"},{"name":"c"}]})",
                      R"({"$setElementOrder/mergingList":[{"name":"c"},{"name":"b"},{"name":"a"}],
                          "mergingList":[{"name":"c","value":"3"},{"name":"a","value":"1"}]})"),
                R"({"mergingList":[{"name":"c","value":"3"},{"name":"a","value":"1"}]})");
  EXPECT_MERGED(merge(R"({"mergingIntList":[1,3]})", R"({"$setElementOrder/mergingIntList":[3,2,1]})"),
                R"({"mergingIntList":[3,1]})");
  // A list only the patch has loses its directives.
  EXPECT_MERGED(merge(R"({})", R"({"$setElementOrder/mergingList":[{"name":"a"},{"name":"b"}],
                                  "mergingList":[{"name":"a"},{"name":"b"},{"name":"z","$patch":"delete"}]})"),
                R"({"mergingList":[{"name":"a"},{"name":"b"}]})");
  EXPECT_MERGED(merge(R"({"mergingIntList":[1,2]})",
                      R"({"$setElementOrder/mergingIntList":[2,3],"mergingIntList":[3],
                          "$deleteFromPrimitiveList/mergingIntList":[1]})"),
                R"({"mergingIntList":[2,3]})");
}

TEST_F(StrategicMergeTest, SetElementOrderErrors) {
  EXPECT_EQ(merge(R"({"mergingList":[{"name":"a"},{"name":"c"},{"name":"b"}]})",
                  R"({"$setElementOrder/mergingList":[{"name":"a"},{"name":"b"},{"name":"c"}],
                      "mergingList":[{"name":"c","value":"3"},{"name":"a","value":"1"}]})"),
            "error 500: The order in patch list:\n[map[name:c value:3] map[name:a value:1]]\n doesn't match "
            "$setElementOrder list:\n[map[name:a] map[name:b] map[name:c]]\n");
  EXPECT_EQ(merge(R"({"mergingIntList":[1,3,2]})",
                  R"({"$setElementOrder/mergingIntList":[1,2,3],"mergingIntList":[3,1]})"),
            "error 500: The order in patch list:\n[3 1]\n doesn't match $setElementOrder list:\n[1 2 3]\n");
  EXPECT_EQ(merge(R"({"mergingList":[{"name":"a"}]})", R"({"$setElementOrder/mergingList":"a"})"),
            "error 500: expected a []interface {}, but received a string");
  EXPECT_EQ(merge(R"({"mergingList":[{"name":"a"}]})", R"({"$setElementOrderX":[]})"),
            "error 400: invalid patch format of setElementOrder list");
  EXPECT_EQ(merge(R"({"mergingList":[{"name":"a"}]})", R"({"$setElementOrder/mergingList":["a"]})"),
            "error 500: value for key 0 is not a map");
  EXPECT_EQ(merge(R"({"mergingIntList":[]})", R"({"$setElementOrder/mergingIntList":[]})"),
            "error 500: no elements in any of the given slices");
}

TEST_F(StrategicMergeTest, ListElementTypes) {
  EXPECT_EQ(merge(R"({"mergingIntList":[[1]]})", R"({"mergingIntList":[[2]]})"),
            "error 422: the server rejected our request due to an error in our request");
  EXPECT_EQ(merge(R"({"mergingIntList":[1,2]})", R"({"mergingIntList":["a"]})"),
            "error 500: list element types are not identical: [[1 2] [a]]");
}

}  // namespace
}  // namespace kcpp::patch::testing
