// User data without a lab: where the logs go, a namespace that does not exist, and how a
// running process group is told from a gone one. The scripts in a lab: user_data_lab_test.cpp.
#include "vpcstack/live/user_data.hpp"

#include <unistd.h>

#include <gtest/gtest.h>

#include <string>

#include "vpcstack/live/netns.hpp"

namespace vpcstack::live {
namespace {

TEST(UserData, EachInstanceLogsToAFileOfItsOwnInTheLabsDirectory) {
    EXPECT_EQ(user_data_log_path("demo", "web1"), "/run/vpcstack/demo/user-data/web1.log");
    EXPECT_EQ(user_data_log_path("demo", "a/b"), "/run/vpcstack/demo/user-data/a_b.log");
}

TEST(UserData, ANamespaceThatDoesNotExistIsAnErrorNamingIt) {
    try {
        start_user_data("ud-none", "web1", "vs-ud-none-web1", "true", "");
        ADD_FAILURE() << "a script started in a namespace that does not exist";
    } catch (const SystemError& e) {
        EXPECT_NE(std::string(e.what()).find("vs-ud-none-web1"), std::string::npos) << e.what();
    }
}

TEST(UserData, AProcessGroupIsAliveWhileAMemberRuns) {
    EXPECT_TRUE(process_group_alive(::getpgrp()));
    EXPECT_FALSE(process_group_alive(0));
    EXPECT_TRUE(stop_user_data({{"gone", 0, ""}}, 10).empty()) << "nothing to end, nothing ended";
}

}  // namespace
}  // namespace vpcstack::live
