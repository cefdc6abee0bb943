// Where a job's webhook may go: https to a host, or http to this machine, and nothing that a
// URL parser would read as another host.
#include <catch2/catch.hpp>

#include "jobs/webhook_url.hpp"

using ag::jobs::is_webhook_url;

TEST_CASE("webhook_url: https anywhere, http only to loopback", "[jobs][webhooks]") {
  for (std::string_view good :
       {"https://example.com/hooks", "https://example.com", "https://example.com:8443/a?b=c", "https://[2001:db8::1]/x",
        "http://127.0.0.1:18999/x", "http://localhost/x", "http://[::1]:80", "http://127.0.0.1"}) {
    INFO(good);
    CHECK(is_webhook_url(good));
  }
  for (std::string_view bad : {
           "http://example.com/x",                   // clear text off this machine
           "ftp://example.com/x",                    //
           "http://127.0.0.1:80@127.0.0.2:18999/x",  // userinfo: the host is 127.0.0.2
           "https://user:pass@example.com/x",        // userinfo
           "https://@example.com/x",                 //
           "https:///",                              // no host
           "https://",                               //
           "https://:443/x",                         // no host, a port
           "https://example.com:port/x",             // a port that is not a number
           "https://example.com\\@evil.com/x",       // a backslash reads as '/' to WHATWG parsers
           "http://localhost.evil.com/x",            // not loopback
           "http://127.0.0.1.evil.com/x",            //
           "https://exa mple.com/",                  //
           "https://example.com/\x01",               // control characters
       }) {
    INFO(bad);
    CHECK_FALSE(is_webhook_url(bad));
  }
}
