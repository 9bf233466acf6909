package dev.aegis.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UriTemplatesTest {

  @ParameterizedTest(name = "{0} matches {1}")
  @CsvSource(delimiter = '|', value = {
      "demo://static/readme|demo://static/readme",
      "demo://a/{id}|demo://a/1",
      "demo://a/{id}|demo://a/some/long/path",
      "file:///{path}|file:///etc/hosts",
      "{scheme}://x|https://x",
      "{whole}|anything",
      "db://{table}/rows/{id}|db://users/rows/42",
      "db://{table}/rows/{id}.json|db://users/rows/42.json",
      "repo://{owner}/{name}/issues|repo://me/aegis/issues",
      "x{a}-{b}-y|x1-2-3-y",
      "weather://{city}?units={units}|weather://Paris?units=metric",
      "ab{x}b|abxb"})
  void templateMatches(String template, String uri) {
    assertThat(UriTemplates.matches(template, uri)).isTrue();
  }

  @ParameterizedTest(name = "{0} does not match {1}")
  @CsvSource(delimiter = '|', value = {
      "demo://static/readme|demo://static/readme2",
      "demo://static/readme|demo://static/read",
      "demo://static/readme|xdemo://static/readme",
      "demo://a/{id}|demo://b/1",
      "demo://a/{id}|demo://a/",
      "demo://a/{id}|demo://a",
      "demo://a/{id}|other://a/1",
      "{scheme}://x|://x",
      "{scheme}://x|https://xy",
      "db://{table}/rows/{id}|db:///rows/42",
      "db://{table}/rows/{id}|db://users/rows/",
      "db://{table}/rows/{id}|db://users/cols/42",
      "db://{table}/rows/{id}.json|db://users/rows/42.xml",
      "db://{table}/rows/{id}.json|db://users/rows/.json",
      "repo://{owner}/{name}/issues|repo://me/issues",
      "ab{x}b|abb",
      "demo://{unclosed|demo://x"})
  void templateDoesNotMatch(String template, String uri) {
    assertThat(UriTemplates.matches(template, uri)).isFalse();
  }

  @ParameterizedTest(name = "{0} vs empty uri")
  @CsvSource({"{x}", "demo://{x}", "demo://"})
  void emptyUriMatchesNoTemplateThatNeedsCharacters(String template) {
    assertThat(UriTemplates.matches(template, "")).isFalse();
  }
}
