// xpkgs' C++ probe (the cxx-probe package): what a static C++ program on musl
// needs from libstdc++, libgcc's unwinder and musl, each checked and printed:
// threads and a mutex, an exception through many frames and across threads,
// iostream, regex, <filesystem>, std::random_device, 64-bit atomics (libatomic where
// the CPU has none: 32-bit MIPS and PowerPC). Exits 1 if any fails.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>
#include <unistd.h>

struct Guard {
  static inline std::atomic<int> unwound{0};
  ~Guard() { ++unwound; }
};

static int deep(int n) {
  Guard g;
  if (n == 0) throw std::runtime_error("thrown from frame 0");
  return deep(n - 1) + 1;
}

int main() {
  int failures = 0;
  auto check = [&](bool ok, const std::string& what) {
    std::cout << (ok ? "ok   " : "FAIL ") << what << std::endl;
    if (!ok) ++failures;
  };

  // Threads and a mutex.
  std::mutex m;
  std::map<int, int> counts;
  long total = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10000; ++i) {
        std::lock_guard<std::mutex> lock(m);
        ++total;
        ++counts[t];
      }
    });
  for (auto& th : threads) th.join();
  check(total == 80000 && counts.size() == 8, "8 threads x 10000 increments under a mutex: " + std::to_string(total));

  // A 64-bit atomic, from two threads: 32-bit MIPS and PowerPC have no 8-byte atomic
  // instructions, and gcc calls libatomic's __atomic_fetch_add_8 and __atomic_is_lock_free.
  std::atomic<std::uint64_t> wide{0};
  std::thread adder([&] { for (int i = 0; i < 100000; ++i) wide.fetch_add(3); });
  for (int i = 0; i < 100000; ++i) wide.fetch_add(1ULL << 32);
  adder.join();
  check(wide.load() == (100000ULL << 32) + 300000,
        "64-bit atomic from 2 threads (lock-free: " + std::string(wide.is_lock_free() ? "yes" : "no") + ")");

  // An exception through 50 frames, each with a destructor.
  try {
    deep(50);
    check(false, "exception");
  } catch (const std::exception& e) {
    check(std::string(e.what()) == "thrown from frame 0" && Guard::unwound == 51,
          std::string("exception through 51 frames: ") + e.what() + ", " + std::to_string(Guard::unwound.load()) + " destructors");
  }
  // An exception thrown in one thread, caught in it, rethrown across std::exception_ptr.
  std::exception_ptr ep;
  std::thread([&] { try { throw std::out_of_range("from a thread"); } catch (...) { ep = std::current_exception(); } }).join();
  try { std::rethrow_exception(ep); } catch (const std::out_of_range& e) { check(std::string(e.what()) == "from a thread", "exception_ptr across threads"); }

  // iostream and stringstream formatting.
  std::ostringstream os;
  os << std::hex << 255 << " " << std::fixed << 3.25 << " " << std::boolalpha << true;
  check(os.str() == "ff 3.250000 true", "iostream formatting: " + os.str());

  // regex.
  std::regex re(R"((\w+)@(\w+)\.org)");
  std::smatch sm;
  std::string addr = "mail root@example.org now";
  check(std::regex_search(addr, sm, re) && sm[1] == "root" && sm[2] == "example", "regex captures");

  // filesystem: in a writable temporary directory, or the current one; a device's empty
  // root may have neither (read-only, no /tmp), and then it walks and reads what is there.
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path base = fs::temp_directory_path(ec);
  if (ec) base = fs::current_path();
  fs::path dir = base / ("xpkgs-cxx-" + std::to_string(::getpid()));
  const bool created = fs::create_directories(dir / "a" / "b", ec);
  const bool readOnly = ec == std::errc::read_only_file_system || ec == std::errc::permission_denied;
  if (!created && !readOnly) {
    check(false, "filesystem: create_directories in " + base.string() + ": " + ec.message());
  } else if (created) {
    std::ofstream(dir / "a" / "b" / "f.txt") << "hello";
    std::uintmax_t size = fs::file_size(dir / "a" / "b" / "f.txt");
    int entries = 0;
    for (auto& e : fs::recursive_directory_iterator(dir)) {
      (void)e;
      ++entries;
    }
    fs::remove_all(dir);
    check(size == 5 && entries == 3 && !fs::exists(dir), "filesystem: create, size, walk, remove");
  } else {
    int entries = 0;
    for (auto& e : fs::directory_iterator(base)) {
      (void)e;
      ++entries;
    }
    check(entries > 0 && fs::is_directory(base),
          "filesystem: walk " + base.string() + " (read-only: " + ec.message() + ")");
  }
  try {
    (void)fs::file_size(dir / "missing");
    check(false, "filesystem_error");
  } catch (const fs::filesystem_error& e) {
    check(e.code() == std::errc::no_such_file_or_directory, "filesystem_error for a missing file");
  }

  // random_device.
  std::random_device rd;
  unsigned a = rd(), b = rd(), c = rd();
  check(!(a == b && b == c), "random_device gives different numbers");

  std::cout << (failures == 0 ? "all passed" : "FAILED") << "\n";
  return failures == 0 ? 0 : 1;
}
