#include "vpcstack/render/graphviz.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sample_topology.hpp"
#include "vpcstack/render/diagram.hpp"

namespace vpcstack::render {
namespace {

namespace fs = std::filesystem;

// A fresh directory under the system's temporary directory, removed at the end of the test.
class TempDir {
  public:
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "render-test-XXXXXX").string();
        path_ = ::mkdtemp(pattern.data());
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    const fs::path& path() const { return path_; }

  private:
    fs::path path_;
};

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::optional<std::string> dot_on_path() {
    const char* path = std::getenv("PATH");
    return find_program("dot", path != nullptr ? path : "");
}

TEST(FormatForPath, TheExtensionNamesTheFormatInAnyCase) {
    EXPECT_EQ(format_for_path("net.dot"), ImageFormat::Dot);
    EXPECT_EQ(format_for_path("out/net.gv"), ImageFormat::Dot);
    EXPECT_EQ(format_for_path("net.SVG"), ImageFormat::Svg);
    EXPECT_EQ(format_for_path("net.png"), ImageFormat::Png);
    EXPECT_EQ(format_for_path("net.pdf"), std::nullopt);
    EXPECT_EQ(format_for_path("net"), std::nullopt);
    EXPECT_EQ(format_for_path("dot"), std::nullopt);
}

TEST(FindProgram, FindsAnExecutableInThePathDirectoriesInOrder) {
    TempDir a, b;
    const fs::path tool = b.path() / "mytool";
    std::ofstream(tool) << "#!/bin/sh\n";
    EXPECT_EQ(find_program("mytool", a.path().string() + ":" + b.path().string()), std::nullopt)
        << "a file that is not executable is not a program";
    fs::permissions(tool, fs::perms::owner_all);
    EXPECT_EQ(find_program("mytool", a.path().string() + ":" + b.path().string()), tool.string());
    EXPECT_EQ(find_program("mytool", a.path().string()), std::nullopt);
    EXPECT_EQ(find_program("mytool", ""), std::nullopt);
    fs::create_directory(a.path() / "mytool");
    EXPECT_EQ(find_program("mytool", a.path().string() + ":" + b.path().string()), tool.string())
        << "a directory of that name is skipped";
}

TEST(RunDot, DrawsTheDiagramAsSvgAndPng) {
    auto dot = dot_on_path();
    if (!dot) GTEST_SKIP() << "Graphviz's dot is not installed (apt-get install graphviz)";
    TempDir dir;
    const std::string text = render_dot(testing::two_tier());
    const DotRun svg = run_dot(*dot, text, ImageFormat::Svg, (dir.path() / "t.svg").string());
    ASSERT_TRUE(svg.ok) << svg.error;
    const std::string drawing = read_file(dir.path() / "t.svg");
    EXPECT_NE(drawing.find("<svg"), std::string::npos);
    EXPECT_NE(drawing.find("nat&#45;a"), std::string::npos) << "the NAT gateway is drawn";
    const DotRun png = run_dot(*dot, text, ImageFormat::Png, (dir.path() / "t.png").string());
    ASSERT_TRUE(png.ok) << png.error;
    EXPECT_EQ(read_file(dir.path() / "t.png").substr(1, 3), "PNG");
}

TEST(RunDot, ReportsAProgramThatFails) {
    TempDir dir;
    const DotRun run =
        run_dot("/bin/false", "digraph {}", ImageFormat::Svg, (dir.path() / "t.svg").string());
    EXPECT_FALSE(run.ok);
    EXPECT_EQ(run.error, "/bin/false failed with exit code 1");
    const DotRun missing = run_dot((dir.path() / "no-such-dot").string(), "digraph {}",
                                   ImageFormat::Svg, (dir.path() / "t.svg").string());
    EXPECT_FALSE(missing.ok);
    EXPECT_NE(missing.error.find("cannot run"), std::string::npos) << missing.error;
}

}  // namespace
}  // namespace vpcstack::render
