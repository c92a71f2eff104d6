#pragma once
// ResourceType: what the API machinery needs to know about one resource, as data.
// Discovery, routing, storage keys, selectors and the generic registry all read
// this table; the per-field schema (OpenAPI, defaulting, validation) joins it in
// the schema issue. Custom resources will produce the same structure at runtime.

#include <string>
#include <utility>
#include <vector>

#include "api/validation/names.h"

namespace kcpp::api {

struct ResourceType {
  std::string group;     // "" for the core group
  std::string version;   // "v1"
  std::string resource;  // plural, lower case: "configmaps"
  std::string kind;      // "ConfigMap"
  std::string singular;  // "configmap"
  bool namespaced = true;
  std::vector<std::string> shortNames;
  std::vector<std::string> categories;  // "all" puts it in `kubectl get all`
  std::vector<std::string> verbs;       // as upstream's discovery lists them
  bool hasStatus = false;               // a /status subresource splits status writes
  bool hasScale = false;                // a /scale subresource (autoscaling/v1 Scale)
  bool tracksGeneration = false;        // metadata.generation bumps on spec changes
  bool returnsDeletedObject = false;    // DELETE answers with the object, not a Status
  NameRule nameRule = NameRule::Dns1123Subdomain;
  // Field selectors supported besides metadata.name and metadata.namespace,
  // each with the JSON path it reads ("source" of events reads source.component).
  std::vector<std::pair<std::string, std::string>> selectableFields;
  // The storage key prefix's resource segment; upstream keeps some elsewhere
  // (services under "services/specs").
  std::string storageSegment;

  std::string apiVersion() const { return group.empty() ? version : group + "/" + version; }
  std::string listKind() const { return kind + "List"; }
  // "/registry/<segment>/" : every object of this resource is under it.
  std::string storagePrefix() const { return "/registry/" + storageSegment + "/"; }
};

// The built-in resources, in discovery order.
std::vector<ResourceType> builtinResources();

}  // namespace kcpp::api
