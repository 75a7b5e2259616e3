#include "neuromod/config/reader.h"

#include <gtest/gtest.h>

#include "neuromod/config/checks.h"
#include "neuromod/config/writer.h"

namespace neuromod::config {
namespace {

enum class Color { red, green };
const EnumNames<Color>& enum_names(Color) {
  static const EnumNames<Color> names{{Color::red, "red", "warm"}, {Color::green, "green", "cool"}};
  return names;
}

struct Inner {
  int64_t size = 4;
  std::string label = "x";
  template <class V>
  void visit(V& v) {
    v("size", size, "units", check::at_least(int64_t{1}));
    v("label", label, "a label");
  }
};

struct Outer {
  double lr = 0.5;
  bool flag = false;
  Color color = Color::red;
  std::vector<double> widths{1.0, 2.0};
  Inner inner;
  std::vector<Inner> items;
  template <class V>
  void visit(V& v) {
    v("lr", lr, "step size", check::positive());
    v("flag", flag, "a switch");
    v("color", color, "a colour");
    v("widths", widths, "some widths");
    v("inner", inner, "nested");
    v("items", items, "a list of nested");
  }
};

Outer read(const std::string& yaml) {
  return read_options<Outer>(Document::parse(yaml, "test.yaml"));
}

std::string error_of(const std::string& yaml) {
  try {
    read(yaml);
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "no error";
}

TEST(Reader, DefaultsWhenAbsent) {
  const Outer options = read("");
  EXPECT_DOUBLE_EQ(options.lr, 0.5);
  EXPECT_EQ(options.inner.size, 4);
  EXPECT_TRUE(options.items.empty());
}

TEST(Reader, ReadsEveryKindOfField) {
  const Outer options = read(
      "lr: 0.25\nflag: true\ncolor: green\nwidths: [3, 4.5]\ninner: {size: 9}\n"
      "items:\n  - {size: 2, label: a}\n  - {label: b}\n");
  EXPECT_DOUBLE_EQ(options.lr, 0.25);
  EXPECT_TRUE(options.flag);
  EXPECT_EQ(options.color, Color::green);
  EXPECT_EQ(options.widths, (std::vector<double>{3, 4.5}));
  EXPECT_EQ(options.inner.size, 9);
  EXPECT_EQ(options.inner.label, "x");
  ASSERT_EQ(options.items.size(), 2u);
  EXPECT_EQ(options.items[0].label, "a");
  EXPECT_EQ(options.items[1].size, 4);
}

TEST(Reader, UnknownKeyNamesFileLineKeyAndSuggestion) {
  EXPECT_EQ(error_of("lr: 0.1\ninner:\n  sise: 3\n"),
            "test.yaml:3: inner.sise: unknown key in 'inner' (did you mean \"size\"?)");
  EXPECT_EQ(error_of("flga: true\n"),
            "test.yaml:1: flga: unknown key at the top level (did you mean \"flag\"?)");
  EXPECT_EQ(error_of("items:\n  - {size: 2, colour: red}\n"),
            "test.yaml:2: items.0.colour: unknown key in 'items.0'");
}

TEST(Reader, WrongTypeNamesKeyValueAndExpectation) {
  EXPECT_EQ(error_of("lr: fast\n"), "test.yaml:1: lr: expected a number, got 'fast'");
  EXPECT_EQ(error_of("inner: {size: 2.5}\n"),
            "test.yaml:1: inner.size: expected an integer, got '2.5'");
  EXPECT_EQ(error_of("flag: maybe\n"), "test.yaml:1: flag: expected true or false, got 'maybe'");
  EXPECT_EQ(error_of("widths: {a: 1}\n"),
            "test.yaml:1: widths: expected a list of numbers, got a mapping");
  EXPECT_EQ(read("widths: 3\n").widths, std::vector<double>{3.0});  // a scalar is a one-item list
  EXPECT_EQ(error_of("inner: 3\n"), "test.yaml:1: inner: expected a mapping, got '3'");
  EXPECT_EQ(error_of("lr: [1]\n"), "test.yaml:1: lr: expected a number, got a list");
}

TEST(Reader, BadEnumValueSuggestsTheClosestName) {
  EXPECT_EQ(error_of("color: gren\n"),
            "test.yaml:1: color: expected one of red | green, got 'gren' (did you mean "
            "\"green\"?)");
}

TEST(Reader, OutOfRangeNamesTheBound) {
  EXPECT_EQ(error_of("\nlr: -3\n"), "test.yaml:2: lr: expected a number > 0, got '-3'");
  EXPECT_EQ(error_of("inner: {size: 0}\n"),
            "test.yaml:1: inner.size: expected an integer >= 1, got '0'");
}

TEST(Reader, OverrideErrorsNameTheOverride) {
  Document document = Document::parse("lr: 0.1\n", "test.yaml");
  document.apply_override("lr=-1");
  try {
    read_options<Outer>(document);
    FAIL();
  } catch (const ConfigError& error) {
    EXPECT_EQ(std::string(error.what()), "override 'lr=-1': lr: expected a number > 0, got '-1'");
  }
  Document typo = Document::parse("", "test.yaml");
  typo.apply_override("inner.sizes=3");
  EXPECT_THROW(read_options<Outer>(typo), ConfigError);
}

TEST(Writer, RoundTripsEveryField) {
  Outer options = read("lr: 0.1\ncolor: green\nitems: [{size: 7}]\nwidths: [1.0e-5]\n");
  const std::string yaml = to_yaml(options);
  const Outer again = read(yaml);
  EXPECT_EQ(to_yaml(again), yaml);
  EXPECT_DOUBLE_EQ(again.widths[0], 1e-5);
  EXPECT_NE(yaml.find("label: x"), std::string::npos) << "defaults are written out:\n" << yaml;
}

TEST(Writer, FormatNumberIsShortestExact) {
  EXPECT_EQ(format_number(0.1), "0.1");
  EXPECT_EQ(format_number(1e-3), "0.001");
  EXPECT_EQ(format_number(1e-5), "1.0e-05");
  EXPECT_EQ(format_number(3.0), "3");
  const double third = 1.0 / 3.0;
  EXPECT_EQ(std::stod(format_number(third)), third);
}

TEST(Describer, ListsNestedAndListFieldsWithDefaults) {
  const auto fields = describe_options<Outer>();
  bool found_item_size = false;
  for (const auto& field : fields) {
    if (field.key == "items[].size") {
      found_item_size = true;
      EXPECT_EQ(field.default_value, "4");
      EXPECT_EQ(field.type, "an integer >= 1");
    }
  }
  EXPECT_TRUE(found_item_size);
}

}  // namespace
}  // namespace neuromod::config
