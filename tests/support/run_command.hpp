// Runs a program from a test, as a user runs it from a shell, and captures what it did: the
// exit code, stdout and stderr. Used by the command-line and live-lab tests.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace vpcstack::test_support {

namespace fs = std::filesystem;

struct Result {
    int exit_code = -1;  // 128 + the signal when a signal ended it, -1 when it did not start
    std::string out;
    std::string err;  // empty when RunOptions::merge_stderr is set
};

struct RunOptions {
    fs::path working_dir;          // empty: the test's own
    std::vector<std::string> env;  // "NAME=value" entries that replace or add to the test's
    bool merge_stderr = false;     // stderr goes into out, in the order the program wrote it
};

// Runs argv[0] (looked up on the test's PATH when it has no slash) with the rest of argv as
// its arguments and waits for it. A program that cannot be started fails the test.
Result run(const std::vector<std::string>& argv, const RunOptions& options = {});

// Runs the vpcctl binary of this build with the arguments.
Result vpcctl(const std::vector<std::string>& args, const RunOptions& options = {});
// The vpcctl binary of this build, for a test that starts it itself (a server in the background).
const std::string& vpcctl_path();
// Runs vpcctl in `dir` (the source tree, so the paths it prints are the ones given) without
// colour; the arguments are one string split at spaces.
Result vpcctl_in(const std::string& dir, const std::string& args);

// What tshark decodes of a capture: one line per packet, the fields (space-separated names)
// joined by '|', only packets matching `display_filter` when one is given. A tshark that fails
// fails the test.
std::vector<std::string> tshark_fields(const std::string& file, const std::string& fields,
                                       const std::string& display_filter = "");
// The lines of a text; whether one of them is `line`; all of them, for a failure message.
std::vector<std::string> lines_of(const std::string& text);
bool has_line(const std::vector<std::string>& lines, const std::string& line);
std::string joined(const std::vector<std::string>& lines);

// The whole file; empty when it cannot be read.
std::string read_file(const fs::path& path);

// A fresh directory under the system's temporary directory, removed with everything in it
// when the object goes.
class TempDir {
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const fs::path& path() const { return path_; }
    // Writes a file named `name` in the directory and returns its path.
    fs::path write(const std::string& name, const std::string& text) const;

  private:
    fs::path path_;
};

}  // namespace vpcstack::test_support
