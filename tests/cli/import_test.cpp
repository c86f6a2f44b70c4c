// vpcctl import aws, run as a user runs it: exit codes, nothing written on bad input, the check
// line after writing, and a trace through an imported topology end to end.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace {

namespace fs = std::filesystem;

const std::string kFixtures = std::string(VPCSTACK_SOURCE_DIR) + "/tests/importers/fixtures";

struct Outcome {
    int exit_code = -1;
    std::string out;
    std::string err;
};

std::string slurp(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

class Scratch {
  public:
    Scratch() {
        std::string pattern = (fs::temp_directory_path() / "import-test-XXXXXX").string();
        path_ = ::mkdtemp(pattern.data());
    }
    ~Scratch() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    const fs::path& path() const { return path_; }

  private:
    fs::path path_;
};

Outcome vpcctl(const std::vector<std::string>& args) {
    Scratch io;
    std::string out = (io.path() / "out").string();
    std::string err = (io.path() / "err").string();
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<std::string> argv_text{VPCTL_PATH};
    argv_text.insert(argv_text.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_text) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    Outcome run;
    if (posix_spawn(&pid, VPCTL_PATH, &actions, nullptr, argv.data(), environ) == 0) {
        int status = 0;
        waitpid(pid, &status, 0);
        run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    posix_spawn_file_actions_destroy(&actions);
    run.out = slurp(out);
    run.err = slurp(err);
    return run;
}

TEST(ImportAwsCommand, WritesTheTopologyAndShowsTheCheckResult) {
    Scratch dir;
    std::string topo = (dir.path() / "prod.yaml").string();
    Outcome r = vpcctl({"import", "aws", kFixtures + "/nat", "-o", topo, "--region", "us-east-1"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("not modelled yet (listed here, not in the topology):\n"),
              std::string::npos);
    EXPECT_NE(r.out.find("     1  routes to transit gateways\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("wrote " + topo + "\n"), std::string::npos);
    EXPECT_NE(r.out.find("check: " + topo +
                         " is valid: 1 VPC, 3 subnets, 5 instances, 1 NAT "
                         "gateway, 0 peerings (1 warning)\n"),
              std::string::npos)
        << r.out;
    EXPECT_EQ(slurp(topo), slurp(kFixtures + "/nat.expected.yaml"));
}

TEST(ImportAwsCommand, BadInputExitsTwoAndWritesNothing) {
    Scratch dir;
    fs::create_directories(dir.path() / "in");
    std::ofstream(dir.path() / "in" / "Subnets.json")
        << R"({"Subnets": [{"SubnetId": "subnet-1", "VpcId": "vpc-1"}]})";
    std::string topo = (dir.path() / "out.yaml").string();
    Outcome r = vpcctl({"import", "aws", (dir.path() / "in").string(), "-o", topo});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err,
              "error: Subnets.json: $.Subnets[0].CidrBlock: missing; expected a CIDR string\n"
              "vpcctl: import failed with 1 error; nothing written\n");
    EXPECT_FALSE(fs::exists(topo));
}

TEST(ImportAwsCommand, AMissingFolderExitsTwo) {
    Outcome r = vpcctl({"import", "aws", "/nonexistent/describe-output", "-o", "/tmp/never.yaml"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err,
              "error: /nonexistent/describe-output: not a folder; expected a folder of describe-* "
              "JSON files\nvpcctl: import failed with 1 error; nothing written\n");
}

// The imported NAT scenario carries traffic: a private instance reaches the internet through
// the NAT gateway, and its reply comes back the same way.
TEST(ImportAwsCommand, AnImportedNatScenarioTracesEndToEnd) {
    Scratch dir;
    std::string topo = (dir.path() / "prod.yaml").string();
    ASSERT_EQ(vpcctl({"import", "aws", kFixtures + "/nat", "-o", topo, "--region", "us-east-1"})
                  .exit_code,
              0);
    Outcome r = vpcctl({"trace", topo, "--from", "app-server", "--to", "192.0.2.10", "--proto",
                        "tcp", "--dport", "443"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("rt/private-rt"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("0.0.0.0/0 -> nat/prod-nat"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("src 10.0.1.20 -> 203.0.113.20"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\nreachable\n"), std::string::npos) << r.out;

    // The stopped instance does not answer.
    Outcome stopped = vpcctl({"trace", topo, "--from", "app-server", "--to", "batch", "--proto",
                              "tcp", "--dport", "8080"});
    EXPECT_EQ(stopped.exit_code, 1) << stopped.out << stopped.err;
}

}  // namespace
