#include "audit_log.h"

namespace kcpp::cmd {

namespace audit = apiserver::audit;

void addAuditFlags(CLI::App& cmd, AuditConfig& c) {
  cmd.add_option("--audit-log-path", c.logPath,
                 "If set, all requests coming to the apiserver will be logged to this file. "
                 "'-' means standard out.");
  cmd.add_option("--audit-policy-file", c.policyFile,
                 "Path to the file that defines the audit policy configuration "
                 "(default: every request at Metadata level)");
  cmd.add_option("--audit-log-maxage", c.maxAgeDays,
                 "The maximum number of days to retain old audit log files based on the "
                 "timestamp encoded in their filename.")->check(CLI::NonNegativeNumber);
  cmd.add_option("--audit-log-maxbackup", c.maxBackups,
                 "The maximum number of old audit log files to retain. Setting a value of 0 will "
                 "mean there's no restriction on the number of files.")
      ->check(CLI::NonNegativeNumber);
  cmd.add_option("--audit-log-maxsize", c.maxSizeMegabytes,
                 "The maximum size in megabytes of the audit log file before it gets rotated.")
      ->check(CLI::NonNegativeNumber);
}

Result<AuditLog> openAuditLog(const AuditConfig& config) {
  AuditLog log;
  if (config.logPath.empty()) return log;
  audit::Policy policy = audit::Policy::metadataForEverything();
  if (!config.policyFile.empty()) {
    auto loaded = audit::Policy::load(config.policyFile);
    if (!loaded) return std::move(loaded).error();
    policy = std::move(*loaded);
  }
  audit::LogWriterOptions options;
  options.path = config.logPath;
  options.maxAgeDays = config.maxAgeDays;
  options.maxBackups = config.maxBackups;
  options.maxSizeMegabytes = config.maxSizeMegabytes;
  auto writer = audit::LogWriter::open(std::move(options));
  if (!writer) return std::move(writer).error();
  log.writer = std::move(*writer);
  log.auditor = std::make_unique<audit::Auditor>(std::move(policy), *log.writer);
  return log;
}

}  // namespace kcpp::cmd
