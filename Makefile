# The two set-up commands: `make run` and `make test` (see README.md).
BUILD_DIR ?= build
JOBS ?= 2
RUN_ARGS ?=
# libFuzzer harnesses (fuzz/README.md): built with clang in their own tree.
FUZZ_BUILD_DIR ?= build-fuzz
FUZZ_SECONDS ?= 300
FUZZERS = json_object yaml json_patch merge_patch strategic_merge_patch label_selector field_selector quantity protobuf jwt docker_config image_archive

.PHONY: all deps build run test bench clean fuzz-build fuzz

all: build

deps:
	./scripts/install-deps

$(BUILD_DIR)/CMakeCache.txt:
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release

build: deps $(BUILD_DIR)/CMakeCache.txt
	cmake --build $(BUILD_DIR) -j$(JOBS)

run: build
	./$(BUILD_DIR)/kcpp server $(RUN_ARGS)

# FUZZ_TEST=0 leaves out the short fuzz runs (fuzz.<name>, 10 s each; their
# clang tree is built first, a few minutes the first time, ccache'd after).
FUZZ_TEST ?= 1
test: build $(if $(filter 1,$(FUZZ_TEST)),fuzz-build)
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j1
ifeq ($(FUZZ_TEST),1)
	ctest --test-dir $(FUZZ_BUILD_DIR) -L fuzz --output-on-failure -j1
endif

$(FUZZ_BUILD_DIR)/CMakeCache.txt:
	cmake -S . -B $(FUZZ_BUILD_DIR) -DCMAKE_BUILD_TYPE=Release -DKCPP_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++

fuzz-build: deps $(FUZZ_BUILD_DIR)/CMakeCache.txt
	cmake --build $(FUZZ_BUILD_DIR) -j$(JOBS) --target kcpp_fuzzers

# Each harness for FUZZ_SECONDS over its committed corpus (new inputs go to
# $(FUZZ_BUILD_DIR)/fuzz/corpus-work/<name>); a crash stops with the input saved
# as $(FUZZ_BUILD_DIR)/fuzz/crash-*.
fuzz: fuzz-build
	@set -e; for f in $(FUZZERS); do \
	  echo "== fuzz $$f ($(FUZZ_SECONDS) s)"; \
	  mkdir -p $(FUZZ_BUILD_DIR)/fuzz/corpus-work/$$f; \
	  (cd $(FUZZ_BUILD_DIR)/fuzz && ./kcpp_$${f}_fuzzer -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
	    -rss_limit_mb=2048 -print_final_stats=1 corpus-work/$$f $(CURDIR)/fuzz/corpus/$$f); \
	done

bench: build
	./$(BUILD_DIR)/bench/kcpp_api_bench

clean:
	rm -rf $(BUILD_DIR)
