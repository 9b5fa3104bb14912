#include "psrun/cli_args.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <csignal>

#include "psrun/exec_command.h"
#include "psrun/short_commands.h"

namespace psafe::psrun {
namespace {

TEST(CliArgsTest, OptionsBeforeHostThenPositionals) {
  auto a = ParseCliArgs({"-quote", "-separator", ",", "-filter", "SystemId, SystemName", "-v", "-i", "-sf",
                         "127.0.0.1:8443", "KEY", "dom\\cli;pwd=[pa]ss;w]", "ListAccounts", "s", "a"});
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_TRUE(a->quote && a->verbose && a->insecure && a->skip_factors);
  EXPECT_EQ(a->separator, ",");
  EXPECT_EQ(a->filter, (std::vector<std::string>{"SystemId", "SystemName"}));
  EXPECT_EQ(a->host, "127.0.0.1:8443");
  EXPECT_EQ(a->key.view(), "KEY");
  EXPECT_EQ(a->user, "dom\\cli");
  ASSERT_TRUE(a->user_password.has_value());
  EXPECT_EQ(a->user_password->view(), "pa]ss;w");  // runs to the last ']'
  EXPECT_EQ(a->verb, "ListAccounts");
  EXPECT_EQ(a->args, (std::vector<std::string>{"s", "a"}));
  EXPECT_FALSE(a->IsDirectCall());
}

TEST(CliArgsTest, UsageErrors) {
  EXPECT_FALSE(ParseCliArgs({"-nope", "h", "k", "u", "ListRoles"}).ok());
  EXPECT_FALSE(ParseCliArgs({"-separator"}).ok());
  EXPECT_FALSE(ParseCliArgs({"h", "k", "u"}).ok());
  EXPECT_FALSE(ParseCliArgs({"h", "k", "u", "GET"}).ok());  // a method needs an endpoint
  EXPECT_FALSE(ParseCliArgs({"-e", "x", "-estdin", "y", "h", "k", "u", "ListRoles"}).ok());
  EXPECT_TRUE(ParseCliArgs({"--help"})->help);
  auto direct = ParseCliArgs({"h", "k", "u", "post", "Requests", "A=1"});
  ASSERT_TRUE(direct.ok());
  EXPECT_TRUE(direct->IsDirectCall());
}

TEST(ShortCommandTableTest, NamesAndAliasesResolveCaseInsensitively) {
  for (const char* name : {"RetrievePassword", "retrievepasswordbyname", "ListAssetts", "ListRequest",
                           "ISARequests", "ForceReset", "ImportFile"}) {
    EXPECT_NE(FindShortCommand(name), nullptr) << name;
  }
  EXPECT_EQ(FindShortCommand("GET"), nullptr);
  EXPECT_EQ(FindShortCommand("RetrievePasswords"), nullptr);
}

TEST(ExecCommandTest, PlaceholdersBecomeQuotedEnvironmentReferences) {
  auto rows = PlaceholderRows(boost::json::parse(R"("s3cr3t")"));
  ASSERT_EQ(rows.size(), 1u);
  ShellCommand c = BindPlaceholders("echo '[Password]' [value] \"x [VALUE]\" [Other] \\[Password] [", rows[0]);
  EXPECT_EQ(c.text, "echo ''\"$PSRUN_FIELD_0\"'' \"$PSRUN_FIELD_1\" \"x ${PSRUN_FIELD_2}\" [Other] \\[Password] [");
  ASSERT_EQ(c.env.size(), 3u);
  EXPECT_EQ(c.env[0], (std::pair<std::string, std::string>{"PSRUN_FIELD_0", "s3cr3t"}));
  rows = PlaceholderRows(boost::json::parse(R"([{"SystemName":"a","N":1},{"SystemName":"b","N":2}])"));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(BindPlaceholders("[systemname]:[N]", rows[1]).env[1].second, "2");
}

// A value is data, never shell syntax: quotes, $(…), ; and newlines in it do nothing.
TEST(ExecCommandTest, ValuesCannotInjectShellSyntax) {
  const std::string hostile = "x'; touch /tmp/psrun-pwned-$$; echo '$(id)\"`id`\n";
  boost::json::object row{{"Password", hostile}};
  for (const char* cmd : {"test '[Password]' = \"$EXPECT\"",
                          "test \"[Password]\" = \"$EXPECT\"", "test [Password] = \"$EXPECT\""}) {
    ShellCommand c = BindPlaceholders(cmd, row);
    c.env.emplace_back("EXPECT", hostile);
    EXPECT_EQ(RunShell(c, nullptr).value(), 0) << cmd;
  }
}

TEST(ExecCommandTest, RunsTheShellAndFeedsStdin) {
  EXPECT_EQ(RunShell(ShellCommand{"exit 3", {}}, nullptr).value(), 3);
  std::string input = "hello\n";
  EXPECT_EQ(RunShell(ShellCommand{"test \"$(cat)\" = hello", {}}, &input).value(), 0);
  std::signal(SIGPIPE, SIG_IGN);  // as psrun2's main does
  std::string big(1 << 20, 'x');
  EXPECT_EQ(RunShell(ShellCommand{"true", {}}, &big).value(), 0);  // a child that never reads does not hurt
}

}  // namespace
}  // namespace psafe::psrun
