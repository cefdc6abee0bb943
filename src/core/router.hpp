#pragma once
// A small router (after Hono's): `add` routes, `match` a method and path. Patterns are
// literal segments, `:name` (one segment) and a final `*name` (the rest of the path).
// A GET route also answers HEAD. A path known under other methods gives 405 + Allow.
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/ctx.hpp"
#include "core/http.hpp"
#include "core/task.hpp"

namespace ag {

using Handler = Task<Response> (*)(Ctx&, const Request&);

struct Route {
  std::string method;
  std::string pattern;
  Handler handler = nullptr;
  std::vector<std::string> segments;  // the pattern split on '/'
};

class Router {
 public:
  struct Found {
    const Route* route;
    std::vector<std::pair<std::string, std::string>> params;
  };
  struct NotFound {};
  struct MethodNotAllowed {
    std::string allow;  // e.g. "GET, HEAD, OPTIONS"
  };
  using Match = std::variant<Found, NotFound, MethodNotAllowed>;

  Router& add(std::string method, std::string pattern, Handler handler);
  Match match(std::string_view method, std::string_view path) const;
  /// Methods the path answers to, as an Allow header value; empty for an unknown path.
  std::string allowed_methods(std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace ag
