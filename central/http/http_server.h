// `staffgate-central serve`: the HTTPS front of the Service. Beast and Asio
// stay behind this header (pimpl) so nothing else compiles them.
#ifndef STAFFGATE_CENTRAL_HTTP_HTTP_SERVER_H_
#define STAFFGATE_CENTRAL_HTTP_HTTP_SERVER_H_

#include <functional>
#include <memory>

#include "central/central_config.h"
#include "central/service.h"
#include "common/log.h"
#include "common/result.h"

namespace staffgate::central {

class HttpServer {
 public:
  // `service` must outlive the server.
  HttpServer(const CentralConfig& config, Service& service, common::LogFn log);
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  ~HttpServer();

  // Loads the TLS files, binds and serves on config.threads threads until
  // SIGTERM or SIGINT; then stops accepting, answers held long-polls,
  // finishes in-flight requests (at most 15 s) and flushes contact records.
  // Errors: kConfig (TLS files), kIo (bind/listen).
  common::Result<void> Run();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_HTTP_HTTP_SERVER_H_
