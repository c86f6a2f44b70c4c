#include "vpcstack/render/graphviz.hpp"

#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

extern char** environ;

namespace vpcstack::render {

namespace {

std::string lower_extension(std::string_view path) {
    std::string ext = std::filesystem::path(path).extension().string();
    for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return ext;
}

bool is_executable_file(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
           ::access(path.c_str(), X_OK) == 0;
}

// A temporary file holding the text; removed by the destructor.
class TempFile {
  public:
    explicit TempFile(const std::string& text) {
        const char* dir = std::getenv("TMPDIR");
        std::string pattern =
            std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") + "/vpcctl-diagram-XXXXXX";
        std::vector<char> name(pattern.begin(), pattern.end());
        name.push_back('\0');
        const int fd = ::mkstemp(name.data());
        if (fd < 0) {
            error_ = std::string("cannot create a temporary file: ") + std::strerror(errno);
            return;
        }
        path_ = name.data();
        std::size_t done = 0;
        while (done < text.size()) {
            const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                error_ = std::string("cannot write a temporary file: ") + std::strerror(errno);
                break;
            }
            done += static_cast<std::size_t>(n);
        }
        ::close(fd);
    }
    ~TempFile() {
        if (!path_.empty()) ::unlink(path_.c_str());
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;

    const std::string& path() const { return path_; }
    const std::string& error() const { return error_; }

  private:
    std::string path_;
    std::string error_;
};

}  // namespace

std::optional<ImageFormat> format_for_path(std::string_view path) {
    const std::string ext = lower_extension(path);
    if (ext == ".dot" || ext == ".gv") return ImageFormat::Dot;
    if (ext == ".svg") return ImageFormat::Svg;
    if (ext == ".png") return ImageFormat::Png;
    return std::nullopt;
}

std::optional<std::string> find_program(std::string_view name, std::string_view path_env) {
    if (name.find('/') != std::string_view::npos) {
        std::string candidate(name);
        if (is_executable_file(candidate)) return candidate;
        return std::nullopt;
    }
    std::size_t start = 0;
    while (start <= path_env.size()) {
        std::size_t end = path_env.find(':', start);
        if (end == std::string_view::npos) end = path_env.size();
        std::string dir(path_env.substr(start, end - start));
        if (dir.empty()) dir = ".";  // an empty PATH entry means the current directory
        std::string candidate = dir + "/" + std::string(name);
        if (is_executable_file(candidate)) return candidate;
        start = end + 1;
    }
    return std::nullopt;
}

DotRun run_dot(const std::string& dot_program, const std::string& dot_text, ImageFormat format,
               const std::string& output) {
    if (format == ImageFormat::Dot)
        return {false, "run_dot is for images; write dot text directly"};
    TempFile input(dot_text);
    if (!input.error().empty()) return {false, input.error()};

    const std::string type = format == ImageFormat::Svg ? "-Tsvg" : "-Tpng";
    std::vector<std::string> args = {dot_program, type, "-o", output, input.path()};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);

    pid_t pid = 0;
    const int rc = ::posix_spawn(&pid, dot_program.c_str(), nullptr, nullptr, argv.data(), environ);
    if (rc != 0) return {false, "cannot run " + dot_program + ": " + std::strerror(rc)};
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return {false, std::string("waitpid: ") + std::strerror(errno)};
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {true, {}};
    if (WIFEXITED(status)) {
        return {false,
                dot_program + " failed with exit code " + std::to_string(WEXITSTATUS(status))};
    }
    return {false, dot_program + " was killed by signal " + std::to_string(WTERMSIG(status))};
}

}  // namespace vpcstack::render
