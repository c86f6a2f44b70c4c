#include "support/run_command.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

extern char** environ;

namespace vpcstack::test_support {

namespace {

// The test's environment with the entries of `overrides` put in place of those of the same
// name.
std::vector<std::string> environment_with(const std::vector<std::string>& overrides) {
    auto name_of = [](const std::string& entry) { return entry.substr(0, entry.find('=')); };
    std::vector<std::string> env;
    for (char** e = environ; *e != nullptr; ++e) {
        const std::string entry = *e;
        bool replaced = false;
        for (const std::string& o : overrides) replaced = replaced || name_of(o) == name_of(entry);
        if (!replaced) env.push_back(entry);
    }
    env.insert(env.end(), overrides.begin(), overrides.end());
    return env;
}

std::vector<char*> pointers_to(std::vector<std::string>& texts) {
    std::vector<char*> pointers;
    for (std::string& t : texts) pointers.push_back(t.data());
    pointers.push_back(nullptr);
    return pointers;
}

}  // namespace

Result run(const std::vector<std::string>& argv, const RunOptions& options) {
    Result result;
    if (argv.empty()) {
        ADD_FAILURE() << "no program to run";
        return result;
    }
    // Output goes to files rather than pipes: nothing can block on a full pipe, and a daemon
    // the program leaves behind holding its stdout does not keep the test waiting.
    TempDir io;
    const std::string out = (io.path() / "out").string();
    const std::string err = (io.path() / "err").string();
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (!options.working_dir.empty()) {
        posix_spawn_file_actions_addchdir_np(&actions, options.working_dir.c_str());
    }
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (options.merge_stderr) {
        posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    } else {
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err.c_str(),
                                         O_WRONLY | O_CREAT | O_TRUNC, 0644);
    }
    std::vector<std::string> argv_text = argv;
    std::vector<std::string> env_text = environment_with(options.env);
    std::vector<char*> args = pointers_to(argv_text);
    std::vector<char*> envp = pointers_to(env_text);
    pid_t pid = 0;
    const int rc = posix_spawnp(&pid, argv[0].c_str(), &actions, nullptr, args.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        ADD_FAILURE() << "cannot run " << argv[0] << ": " << std::strerror(rc);
        return result;
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    result.out = read_file(out);
    if (!options.merge_stderr) result.err = read_file(err);
    return result;
}

const std::string& vpcctl_path() {
    static const std::string path = VPCSTACK_VPCCTL_PATH;
    return path;
}

Result vpcctl(const std::vector<std::string>& args, const RunOptions& options) {
    std::vector<std::string> argv = {VPCSTACK_VPCCTL_PATH};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, options);
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

TempDir::TempDir() {
    std::string pattern = (fs::temp_directory_path() / "vpcstack-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        ADD_FAILURE() << "cannot make a directory like " << pattern << ": " << std::strerror(errno);
        return;
    }
    path_ = pattern;
}

TempDir::~TempDir() {
    if (path_.empty()) return;
    std::error_code ec;
    fs::remove_all(path_, ec);
}

fs::path TempDir::write(const std::string& name, const std::string& text) const {
    std::ofstream(path_ / name, std::ios::binary) << text;
    return path_ / name;
}

std::vector<std::string> tshark_fields(const std::string& file, const std::string& fields,
                                       const std::string& display_filter) {
    std::vector<std::string> argv = {"tshark", "-r", file, "-T", "fields", "-E", "separator=|"};
    if (!display_filter.empty()) {
        argv.push_back("-Y");
        argv.push_back(display_filter);
    }
    std::istringstream in(fields);
    for (std::string f; in >> f;) {
        argv.push_back("-e");
        argv.push_back(f);
    }
    Result r = run(argv);
    EXPECT_EQ(r.exit_code, 0) << file << ": " << r.err;
    return lines_of(r.out);
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

bool has_line(const std::vector<std::string>& lines, const std::string& line) {
    return std::find(lines.begin(), lines.end(), line) != lines.end();
}

std::string joined(const std::vector<std::string>& lines) {
    std::string s;
    for (const std::string& l : lines) s += l + "\n";
    return s;
}

Result vpcctl_in(const std::string& dir, const std::string& args) {
    std::vector<std::string> words;
    std::istringstream text(args);
    for (std::string word; text >> word;) words.push_back(word);
    RunOptions options;
    options.working_dir = dir;
    options.env = {"NO_COLOR=1"};
    return vpcctl(words, options);
}

}  // namespace vpcstack::test_support
