#pragma once
// The audit log flags of `kcpp server`, as upstream kube-apiserver's
// (--audit-log-path, --audit-policy-file, --audit-log-maxage/-maxbackup/-maxsize),
// and the Auditor they configure.

#include <CLI/CLI.hpp>

#include <memory>
#include <string>

#include "apiserver/audit/auditor.h"
#include "apiserver/audit/log_writer.h"
#include "util/error.h"

namespace kcpp::cmd {

struct AuditConfig {
  std::string logPath;     // empty: no audit log; "-": stdout
  std::string policyFile;  // empty: every request at Metadata (kcpp's default)
  int maxAgeDays = 0;
  int maxBackups = 0;
  int maxSizeMegabytes = 0;
};

void addAuditFlags(CLI::App& cmd, AuditConfig& config);

// The writer and the auditor over it; both null when no log path is set.
struct AuditLog {
  std::unique_ptr<apiserver::audit::LogWriter> writer;
  std::unique_ptr<apiserver::audit::Auditor> auditor;
};

Result<AuditLog> openAuditLog(const AuditConfig& config);

}  // namespace kcpp::cmd
