package dev.aegis.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.chain.Target;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class CatalogTest {
  private final JsonMapper mapper = JsonMapper.builder().build();
  private final List<String> reports = new ArrayList<>();
  private final Catalog catalog = new Catalog();

  private List<JsonNode> items(String json) {
    List<JsonNode> out = new ArrayList<>();
    mapper.readTree(json).forEach(out::add);
    return out;
  }

  private static List<String> keys(Catalog.Listing listing, String key) {
    return listing.items().stream().map(i -> i.get(key).stringValue()).toList();
  }

  @Test
  void twoServersAreListedInConfigurationOrderWithNamespacing() {
    Catalog.Listing listing = catalog.build(Catalog.Kind.TOOLS, List.of(
        new Catalog.ServerItems("files", "fs", items("[{\"name\":\"read\",\"description\":\"d\"},{\"name\":\"write\"}]")),
        new Catalog.ServerItems("weather", "wx", items("[{\"name\":\"forecast\",\"inputSchema\":{}}]"))),
        reports::add);

    assertThat(keys(listing, "name")).containsExactly("fs__read", "fs__write", "wx__forecast");
    assertThat(listing.items().get(0).get("description").stringValue()).isEqualTo("d");
    assertThat(listing.items().get(2).has("inputSchema")).isTrue();
    assertThat(reports).isEmpty();
    assertThat(catalog.lookup(Catalog.Kind.TOOLS, "fs__read")).isEqualTo(new Target("files", "read"));
    assertThat(catalog.lookup(Catalog.Kind.TOOLS, "wx__forecast")).isEqualTo(new Target("weather", "forecast"));
    assertThat(catalog.lookup(Catalog.Kind.TOOLS, "read")).isNull();
  }

  @Test
  void namespacingNeverChangesTheServersOwnItems() {
    List<JsonNode> original = items("[{\"name\":\"read\"}]");

    catalog.build(Catalog.Kind.PROMPTS, List.of(new Catalog.ServerItems("files", "fs", original)), reports::add);

    assertThat(original.get(0).get("name").stringValue()).isEqualTo("read");
  }

  @Test
  void invalidNamesAreExposedValidAndStillLeadToTheOriginal() {
    Catalog.Listing listing = catalog.build(Catalog.Kind.TOOLS,
        List.of(new Catalog.ServerItems("files", "fs", items("[{\"name\":\"read file\"}]"))), reports::add);

    String exposed = listing.items().get(0).get("name").stringValue();
    assertThat(Names.isValid(exposed)).isTrue();
    assertThat(catalog.lookup(Catalog.Kind.TOOLS, exposed)).isEqualTo(new Target("files", "read file"));
  }

  @Test
  void clashOfUnprefixedNamesKeepsTheFirstServerAndReportsTheSecond() {
    Catalog.Listing listing = catalog.build(Catalog.Kind.TOOLS, List.of(
        new Catalog.ServerItems("first", "", items("[{\"name\":\"search\",\"v\":1},{\"name\":\"only-first\"}]")),
        new Catalog.ServerItems("second", "", items("[{\"name\":\"search\",\"v\":2},{\"name\":\"only-second\"}]"))),
        reports::add);

    assertThat(keys(listing, "name")).containsExactly("search", "only-first", "only-second");
    assertThat(listing.items().get(0).get("v").intValue()).isEqualTo(1);
    assertThat(catalog.lookup(Catalog.Kind.TOOLS, "search")).isEqualTo(new Target("first", "search"));
    assertThat(reports).containsExactly("tools 'search' of server 'second' clashes with server 'first' and is not"
        + " shown; give server 'second' a prefix");
  }

  @Test
  void clashOfAnUnprefixedNameWithAPrefixedOneIsReportedToo() {
    catalog.build(Catalog.Kind.TOOLS, List.of(
        new Catalog.ServerItems("a", "a", items("[{\"name\":\"b__c\"}]")),
        new Catalog.ServerItems("plain", "", items("[{\"name\":\"a__b__c\"}]"))), reports::add);

    assertThat(catalog.lookup(Catalog.Kind.TOOLS, "a__b__c")).isEqualTo(new Target("a", "b__c"));
    assertThat(reports).hasSize(1);
  }

  @Test
  void resourcesKeepTheirUrisAndClashesAreReported() {
    Catalog.Listing listing = catalog.build(Catalog.Kind.RESOURCES, List.of(
        new Catalog.ServerItems("one", "one", items("[{\"uri\":\"file:///a\"},{\"uri\":\"file:///b\"}]")),
        new Catalog.ServerItems("two", "two", items("[{\"uri\":\"file:///a\"}]"))), reports::add);

    assertThat(keys(listing, "uri")).containsExactly("file:///a", "file:///b");
    assertThat(catalog.lookup(Catalog.Kind.RESOURCES, "file:///a")).isEqualTo(new Target("one", "file:///a"));
    assertThat(reports).containsExactly("resources 'file:///a' of server 'two' clashes with server 'one' and is not"
        + " shown; give server 'two' a prefix");
  }

  @Test
  void itemsWithoutAStringKeyAreSkippedWithAReport() {
    Catalog.Listing listing = catalog.build(Catalog.Kind.TOOLS, List.of(new Catalog.ServerItems("s", "s",
        items("[{\"description\":\"no name\"},{\"name\":5},\"just a string\",{\"name\":\"ok\"}]"))), reports::add);

    assertThat(keys(listing, "name")).containsExactly("s__ok");
    assertThat(reports).hasSize(3).allMatch(r -> r.equals(
        "server 's' listed an item of tools without a string 'name'; it is not shown"));
  }

  @Test
  void templatesAreKeyedByUriTemplate() {
    catalog.build(Catalog.Kind.TEMPLATES, List.of(
        new Catalog.ServerItems("s", "s", items("[{\"uri\":\"x://1\"},{\"uriTemplate\":\"x://{id}\"}]"))),
        reports::add);

    assertThat(catalog.listing(Catalog.Kind.TEMPLATES).index()).containsOnlyKeys("x://{id}");
    assertThat(reports).containsExactly(
        "server 's' listed an item of resourceTemplates without a string 'uriTemplate'; it is not shown");
  }

  @Test
  void templateOwnerIsTheServerWhoseTemplateMatches() {
    catalog.build(Catalog.Kind.TEMPLATES, List.of(
        new Catalog.ServerItems("a", "a", items("[{\"uriTemplate\":\"demo://a/{id}\"}]")),
        new Catalog.ServerItems("b", "b", items("[{\"uriTemplate\":\"demo://b/{id}\"}]"))), reports::add);

    assertThat(catalog.templateOwner("demo://b/1")).isEqualTo("b");
    assertThat(catalog.templateOwner("demo://a/1")).isEqualTo("a");
    assertThat(catalog.templateOwner("demo://c/1")).isNull();
  }

  @Test
  void overlappingTemplatesBelongToTheEarliestServerInConfigurationOrder() {
    // every server's template matches the uri; the first configured server must win, whatever the map order
    List<Catalog.ServerItems> servers = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      servers.add(new Catalog.ServerItems("s" + i, "s" + i,
          items("[{\"uriTemplate\":\"demo://" + "x".repeat(i) + "{rest}\"}]")));
    }
    catalog.build(Catalog.Kind.TEMPLATES, servers, reports::add);

    assertThat(catalog.templateOwner("demo://" + "x".repeat(70))).isEqualTo("s0");
    assertThat(catalog.listing(Catalog.Kind.TEMPLATES).index().keySet()).first().isEqualTo("demo://{rest}");
  }

  @Test
  void listingIsFreshAfterBuildUntilInvalidated() {
    assertThat(catalog.isFresh(Catalog.Kind.TOOLS)).isFalse();
    assertThat(catalog.listing(Catalog.Kind.TOOLS)).isSameAs(Catalog.Listing.EMPTY);

    catalog.build(Catalog.Kind.TOOLS, List.of(new Catalog.ServerItems("s", "s", items("[{\"name\":\"t\"}]"))),
        reports::add);
    catalog.build(Catalog.Kind.PROMPTS, List.of(), reports::add);

    assertThat(catalog.isFresh(Catalog.Kind.TOOLS)).isTrue();
    assertThat(catalog.isFresh(Catalog.Kind.PROMPTS)).isTrue();
    catalog.invalidate(Catalog.Kind.TOOLS);
    assertThat(catalog.isFresh(Catalog.Kind.TOOLS)).isFalse();
    assertThat(catalog.isFresh(Catalog.Kind.PROMPTS)).isTrue();
    assertThat(catalog.lookup(Catalog.Kind.TOOLS, "s__t")).as("a stale listing still routes").isNotNull();
    catalog.invalidateAll();
    assertThat(catalog.isFresh(Catalog.Kind.PROMPTS)).isFalse();
  }

  @Test
  void rebuildingReplacesTheListing() {
    catalog.build(Catalog.Kind.TOOLS, List.of(new Catalog.ServerItems("s", "s", items("[{\"name\":\"old\"}]"))),
        reports::add);
    catalog.invalidate(Catalog.Kind.TOOLS);

    catalog.build(Catalog.Kind.TOOLS, List.of(new Catalog.ServerItems("s", "s", items("[{\"name\":\"new\"}]"))),
        reports::add);

    assertThat(catalog.isFresh(Catalog.Kind.TOOLS)).isTrue();
    assertThat(catalog.lookup(Catalog.Kind.TOOLS, "s__old")).isNull();
    assertThat(catalog.lookup(Catalog.Kind.TOOLS, "s__new")).isEqualTo(new Target("s", "new"));
  }
}
