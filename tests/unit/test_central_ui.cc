// The HR console's pure pieces (central/ui/): form parsing, the session
// cookie, the same-origin check, CSV cells against formula injection, and
// the templates' escaping (docs/design.md §11).
#include <catch2/catch.hpp>
#include <string>

#include "central/reports/render.h"
#include "central/ui/cookie.h"
#include "central/ui/form.h"
#include "central/ui/same_origin.h"
#include "central/ui/template_files.h"
#include "central/ui/templates.h"
#include "common/url_encode.h"

namespace sc = staffgate::central;

TEST_CASE("console form: fields decoded, the first of a repeated name wins", "[central][ui]") {
  const sc::FormFields form =
      sc::ParseForm("status=terminated&at=&name=Bob+Jones%21&status=active&flag");
  CHECK(sc::FormValue(form, "status") == "terminated");
  CHECK(sc::FormValue(form, "at").empty());
  CHECK(form.count("at") == 1);
  CHECK(sc::FormValue(form, "name") == "Bob Jones!");
  CHECK(form.count("flag") == 1);
  CHECK(sc::FormValue(form, "missing").empty());
  CHECK(sc::ParseForm("").empty());
  CHECK(sc::ParseForm("&&&").empty());
}

TEST_CASE("console form: times", "[central][ui]") {
  auto none = sc::ParseFormTime("");
  REQUIRE(none);
  CHECK_FALSE(*none);
  auto local = sc::ParseFormTime("2026-12-04T17:30");
  REQUIRE(local);
  CHECK(**local == *staffgate::common::ParseRfc3339("2026-12-04T17:30:00Z"));
  auto offset = sc::ParseFormTime("2026-12-04T17:30:00+01:00");
  REQUIRE(offset);
  CHECK(**offset == *staffgate::common::ParseRfc3339("2026-12-04T16:30:00Z"));
  auto bad = sc::ParseFormTime("next friday");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message == "the time must look like 2026-12-04T17:30:00Z");
}

TEST_CASE("console form: at most kMaxFormFields fields are kept", "[central][ui]") {
  std::string body;
  for (int i = 0; i < 1000; ++i) body += "f" + std::to_string(i) + "=1&";
  CHECK(sc::ParseForm(body).size() == sc::kMaxFormFields);
}

TEST_CASE("console cookie: value found by exact name, first one wins", "[central][ui]") {
  CHECK(sc::CookieValue("a=1; __Host-sg_session=abc; b=2", sc::kSessionCookieName) == "abc");
  CHECK(sc::CookieValue("__Host-sg_session=first;__Host-sg_session=second",
                        sc::kSessionCookieName) == "first");
  CHECK(sc::CookieValue("sg_session=x; __Host-sg_sessionX=y", sc::kSessionCookieName).empty());
  CHECK(sc::CookieValue("", sc::kSessionCookieName).empty());
  CHECK(sc::CookieValue("__Host-sg_session=\"q\"", sc::kSessionCookieName) == "q");
}

TEST_CASE("console cookie: Secure, HttpOnly, SameSite=Strict, Path=/, no Domain", "[central][ui]") {
  const std::string set = sc::SessionCookie("0123");
  CHECK(set == "__Host-sg_session=0123; Secure; HttpOnly; SameSite=Strict; Path=/");
  const std::string cleared = sc::ClearedSessionCookie();
  CHECK(cleared.rfind("__Host-sg_session=;", 0) == 0);
  CHECK(cleared.find("Max-Age=0") != std::string::npos);
  CHECK(cleared.find("Secure") != std::string::npos);
  CHECK(set.find("Domain") == std::string::npos);
}

TEST_CASE("console same-origin check: Origin must match the host, else Sec-Fetch-Site",
          "[central][ui]") {
  CHECK(sc::SameOriginRequest("https://127.0.0.1:8443", "", "127.0.0.1:8443"));
  CHECK(sc::SameOriginRequest("HTTPS://Central.Test", "", "central.test"));
  CHECK_FALSE(sc::SameOriginRequest("https://evil.test", "same-origin", "central.test"));
  CHECK_FALSE(sc::SameOriginRequest("http://central.test", "", "central.test"));
  CHECK_FALSE(sc::SameOriginRequest("https://central.test:8443", "", "central.test"));
  CHECK_FALSE(sc::SameOriginRequest("null", "", "central.test"));
  CHECK_FALSE(sc::SameOriginRequest("https://central.test", "", ""));
  CHECK(sc::SameOriginRequest("", "same-origin", "central.test"));
  CHECK_FALSE(sc::SameOriginRequest("", "same-site", "central.test"));
  CHECK_FALSE(sc::SameOriginRequest("", "cross-site", "central.test"));
  CHECK_FALSE(sc::SameOriginRequest("", "none", "central.test"));
  CHECK_FALSE(sc::SameOriginRequest("", "", "central.test"));
}

TEST_CASE("console CSV (the reports' CsvCell): formulas neutralised, RFC 4180 quoting",
          "[central][ui]") {
  CHECK(sc::CsvCell("=cmd|' /C calc'!A0") == "'=cmd|' /C calc'!A0");
  CHECK(sc::CsvCell("+1") == "'+1");
  CHECK(sc::CsvCell("-1") == "'-1");
  CHECK(sc::CsvCell("@SUM(A1)") == "'@SUM(A1)");
  CHECK(sc::CsvCell("\tx") == "'\tx");
  CHECK(sc::CsvCell("\rx") == "\"'\rx\"");
  CHECK(sc::CsvCell("plain") == "plain");
  CHECK(sc::CsvCell("").empty());
  CHECK(sc::CsvCell("a,b") == "\"a,b\"");
  CHECK(sc::CsvCell("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(sc::CsvCell("=1,2") == "\"'=1,2\"");
}

TEST_CASE("console templates: every value is HTML-escaped", "[central][ui]") {
  sc::PageData data;
  data.set("title", "<script>alert(1)</script>");
  data.set("sentence", "Bob \"Bobby\" O'Neil & <b>co</b>");
  data.set("back", "/ui/\"><script>x</script>");
  auto html = sc::RenderTemplate("message", data);
  REQUIRE(html);
  CHECK(html->find("<script>") == std::string::npos);
  CHECK(html->find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  CHECK(html->find("Bob &quot;Bobby&quot; O&apos;Neil &amp; &lt;b&gt;co&lt;/b&gt;") !=
        std::string::npos);
  CHECK(html->find("<meta name=\"viewport\"") != std::string::npos);
  CHECK_FALSE(sc::RenderTemplate("no-such-page", data));
}

TEST_CASE("console templates: never the unescaped {{{ }}} or {{& }} forms", "[central][ui]") {
  REQUIRE(sc::kTemplateFileCount > 5);
  for (std::size_t i = 0; i < sc::kTemplateFileCount; ++i) {
    const std::string_view text = sc::kTemplateFiles[i].text;
    INFO(std::string(sc::kTemplateFiles[i].name));
    CHECK(text.find("{{{") == std::string_view::npos);
    CHECK(text.find("{{&") == std::string_view::npos);
    CHECK(text.find("<script") == std::string_view::npos);  // No JavaScript at all.
  }
  CHECK(sc::TemplateText("style.css"));
}

TEST_CASE("console links: ids percent-encoded (common::UrlEncode)", "[central][ui]") {
  CHECK(staffgate::common::UrlEncode("E 1/\xc3\xa9?&=\"<") == "E%201%2F%C3%A9%3F%26%3D%22%3C");
  CHECK(staffgate::common::UrlEncode("A-z_0.9~") == "A-z_0.9~");
}

TEST_CASE("console import and report templates escape the file and the links", "[central][ui]") {
  sc::PageData data;
  data.set("title", "Import employees");
  data.set("csv", "E1,</textarea><script>x</script>,a,active,*");
  data.set("entry", true);
  data.set("preview", true);
  data.set("can_apply", true);
  data.set("missing", "report\"><b>");
  auto html = sc::RenderTemplate("import", data);
  REQUIRE(html);
  CHECK(html->find("<script") == std::string::npos);
  CHECK(html->find("</textarea><") == std::string::npos);
  CHECK(html->find("&lt;/textarea&gt;&lt;script&gt;") != std::string::npos);
  CHECK(html->find("Apply these changes") != std::string::npos);
  CHECK(html->find("value=\"report&quot;&gt;&lt;b&gt;\"") != std::string::npos);
  sc::PageData report;
  report.set("title", "Leaver report");
  report.set("csv_href", "/ui/employees/%3C/report.csv");
  auto page = sc::RenderTemplate("report", report);
  REQUIRE(page);
  CHECK(page->find("no-print") != std::string::npos);
  CHECK(page->find("<main>") != std::string::npos);  // The frame's, unless own_main.
  report.set("own_main", true);
  page = sc::RenderTemplate("report", report);
  REQUIRE(page);
  CHECK(page->find("<main") == std::string::npos);
  CHECK(page->find("<h1") == std::string::npos);
  CHECK(page->find("href=\"/ui/employees/%3C/report.csv\"") != std::string::npos);
  CHECK(sc::TemplateText("style.css")->find("@media print") != std::string::npos);
}
