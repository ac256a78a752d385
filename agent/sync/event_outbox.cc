#include "agent/sync/event_outbox.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string_view>

#include "common/file_util.h"
#include "common/json_util.h"

namespace staffgate::agent {
namespace {

// "seg-<n>.jsonl" -> n; nullopt for any other name (acks, temp files).
std::optional<std::uint64_t> SegmentNumber(std::string_view name) {
  constexpr std::string_view kPrefix = "seg-";
  constexpr std::string_view kSuffix = ".jsonl";
  if (!name.starts_with(kPrefix) || !name.ends_with(kSuffix)) return std::nullopt;
  name.remove_prefix(kPrefix.size());
  name.remove_suffix(kSuffix.size());
  std::uint64_t n = 0;
  const char* end = name.data() + name.size();
  auto [stop, ec] = std::from_chars(name.data(), end, n);
  if (name.empty() || ec != std::errc() || stop != end) return std::nullopt;
  return n;
}

using common::ErrorKind;
using common::Fail;

constexpr char kAllowMarker[] = R"("decision":"allow")";
constexpr int kSegmentFlags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY;

// One event the central can take: a JSON object with a non-empty string
// "id", nested no deeper than the central's batch limit allows.
bool IsSendable(std::string_view line) {
  auto parsed = common::ParseJson(line, common::JsonLimits{line.size() + 1, 15});
  if (!parsed || !parsed->is_object()) return false;
  auto id = parsed->find("id");
  return id != parsed->end() && id->is_string() && !id->get_ref<const std::string&>().empty();
}

std::size_t FileSize(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 ? static_cast<std::size_t>(st.st_size) : 0;
}

// Reads bytes [from, from+len) of a file.
std::string ReadRange(const std::string& path, std::size_t from, std::size_t len) {
  std::string out;
  common::UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
  if (!fd) return out;
  out.resize(len);
  std::size_t got = 0;
  while (got < len) {
    ssize_t n = pread(fd.get(), out.data() + got, len - got, static_cast<off_t>(from + got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  out.resize(got);
  return out;
}

}  // namespace

EventOutbox::~EventOutbox() = default;

std::string EventOutbox::SegmentPath(std::uint64_t n) const {
  char name[64];
  (void)std::snprintf(name, sizeof(name), "/seg-%020" PRIu64 ".jsonl", n);
  return options_.dir + name;
}

std::string EventOutbox::AckPath(std::uint64_t n) const {
  char name[64];
  (void)std::snprintf(name, sizeof(name), "/seg-%020" PRIu64 ".ack", n);
  return options_.dir + name;
}

std::uint64_t EventOutbox::ReadAck(std::uint64_t n) const {
  auto text = common::ReadRegularFile(AckPath(n), 64, /*no_follow=*/true);
  if (!text) return 0;
  return std::strtoull(text->c_str(), nullptr, 10);
}

common::Result<std::unique_ptr<EventOutbox>> EventOutbox::Open(Options options, common::LogFn log) {
  std::unique_ptr<EventOutbox> box(new EventOutbox(std::move(options), std::move(log)));
  auto loaded = box->Load();
  if (!loaded) return tl::unexpected(loaded.error());
  return box;
}

common::Result<void> EventOutbox::Load() {
  if (mkdir(options_.dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Fail(ErrorKind::kIo, "cannot create " + options_.dir + ": " + strerror(errno));
  }
  DIR* dir = opendir(options_.dir.c_str());
  if (dir == nullptr)
    return Fail(ErrorKind::kIo, "cannot open " + options_.dir + ": " + strerror(errno));
  while (dirent* entry = readdir(dir)) {
    if (auto n = SegmentNumber(entry->d_name)) segments_.push_back(*n);
  }
  closedir(dir);
  std::sort(segments_.begin(), segments_.end());
  if (segments_.empty()) segments_.push_back(1);

  std::string active = SegmentPath(segments_.back());
  // A crash in the middle of an append can leave half a line: drop it.
  std::size_t size = FileSize(active);
  if (size > 0) {
    std::string tail =
        ReadRange(active, size > 65536 ? size - 65536 : 0, std::min<std::size_t>(size, 65536));
    if (!tail.empty() && tail.back() != '\n') {
      auto last_nl = tail.rfind('\n');
      std::size_t keep =
          last_nl == std::string::npos ? size - tail.size() : size - tail.size() + last_nl + 1;
      if (truncate(active.c_str(), static_cast<off_t>(keep)) == 0) {
        log_(LOG_WARNING, "outbox: dropped an incomplete event left by a crash");
        size = keep;
      }
    }
  }
  active_fd_.Reset(open(active.c_str(), kSegmentFlags, 0600));
  if (!active_fd_) return Fail(ErrorKind::kIo, "cannot open " + active + ": " + strerror(errno));
  active_size_ = size;
  return common::Ok();
}

common::Result<void> EventOutbox::Append(const std::string& event_json) {
  std::string line = event_json;
  line += '\n';
  std::lock_guard<std::mutex> lock(mu_);
  // One write(2) per event: either the whole line reaches the file or the
  // call fails; never interleaved with another thread's line.
  ssize_t n = write(active_fd_.get(), line.data(), line.size());
  if (n != static_cast<ssize_t>(line.size())) {
    int saved = errno;
    if (n > 0) {
      // Partial write (disk full): cut it off so the file stays line-aligned.
      if (ftruncate(active_fd_.get(), static_cast<off_t>(active_size_)) !=
          0) { /* Load() repairs it */
      }
    }
    return Fail(ErrorKind::kIo,
                std::string("outbox append failed: ") + strerror(n < 0 ? saved : ENOSPC));
  }
  active_size_ += line.size();
  if (active_size_ >= options_.segment_bytes) {
    std::uint64_t next = segments_.back() + 1;
    int fd = open(SegmentPath(next).c_str(), kSegmentFlags, 0600);
    if (fd >= 0) {
      active_fd_.Reset(fd);
      active_size_ = 0;
      segments_.push_back(next);
      EnforceCapLocked();
    }
  }
  return common::Ok();
}

common::Result<OutboxBatch> EventOutbox::Peek(std::size_t max_events, std::size_t max_bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  while (true) {
    std::uint64_t seg = segments_.front();
    bool is_active = segments_.size() == 1;
    std::string path = SegmentPath(seg);
    std::size_t size = is_active ? active_size_ : FileSize(path);
    std::uint64_t ack = ReadAck(seg);
    if (ack >= size) {
      if (is_active) return OutboxBatch{seg, ack, {}, 0, 0, ack};
      // Fully delivered closed segment: remove it and look at the next.
      unlink(path.c_str());
      unlink(AckPath(seg).c_str());
      segments_.erase(segments_.begin());
      continue;
    }
    std::string data = ReadRange(path, ack, std::min<std::size_t>(size - ack, max_bytes));
    OutboxBatch batch{seg, ack, {}, 0, 0, ack};
    TakeLines(data, ack, max_events, batch);
    if (batch.end_offset == ack && data.size() >= max_bytes) {
      // One line longer than a whole batch: skip it rather than stall forever.
      log_(LOG_ERR, "outbox: dropped an event larger than a batch");
      auto nl = ReadRange(path, ack, size - ack).find('\n');
      batch.end_offset = nl == std::string::npos ? size : ack + nl + 1;
    }
    return batch;
  }
}

void EventOutbox::TakeLines(const std::string& data, std::uint64_t start, std::size_t max_events,
                            OutboxBatch& batch) {
  std::size_t pos = 0;
  while (batch.events.size() < max_events) {
    auto nl = data.find('\n', pos);
    if (nl == std::string::npos) break;
    std::string_view line(data.data() + pos, nl - pos);
    if (IsSendable(line)) {
      batch.events.emplace_back(line);
    } else if (!line.empty()) {
      ++(Quarantine(line) ? batch.quarantined : batch.quarantine_failed);
    }
    pos = nl + 1;
    batch.end_offset = start + pos;
  }
}

bool EventOutbox::Quarantine(std::string_view line) {
  common::UniqueFd fd(open(QuarantinePath().c_str(), kSegmentFlags, 0600));
  std::string copy(line);
  copy += '\n';
  const bool kept =
      fd && write(fd.get(), copy.data(), copy.size()) == static_cast<ssize_t>(copy.size());
  log_(LOG_ERR, kept ? "outbox: moved an unreadable event to " + QuarantinePath() +
                           " so the events after it are delivered"
                     : "outbox: dropped an unreadable event, and could not keep it in " +
                           QuarantinePath() + ": " + strerror(errno));
  return kept;
}

common::Result<void> EventOutbox::Ack(const OutboxBatch& batch) {
  std::lock_guard<std::mutex> lock(mu_);
  if (std::find(segments_.begin(), segments_.end(), batch.segment) == segments_.end()) {
    return common::Ok();  // Already removed.
  }
  return common::WriteFileAtomic(AckPath(batch.segment), std::to_string(batch.end_offset) + "\n",
                                 0600);
}

std::size_t EventOutbox::Depth() {
  // Only the list is taken under the lock: the backlog can be tens of MiB
  // and Append (on the decision path) must never wait for it to be read.
  // Segments only grow until rewritten by the cap, so an unlocked read
  // gives a count that was true a moment ago, which is all status needs.
  std::vector<std::pair<std::string, std::uint64_t>> parts;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (std::uint64_t seg : segments_) parts.emplace_back(SegmentPath(seg), ReadAck(seg));
  }
  std::size_t count = 0;
  for (const auto& [path, ack] : parts) {
    std::size_t size = FileSize(path);
    if (ack >= size) continue;
    std::string data = ReadRange(path, ack, size - ack);
    count += static_cast<std::size_t>(std::count(data.begin(), data.end(), '\n'));
  }
  return count;
}

std::uint64_t EventOutbox::Dropped() {
  std::lock_guard<std::mutex> lock(mu_);
  return dropped_;
}

std::size_t EventOutbox::Bytes() {
  std::lock_guard<std::mutex> lock(mu_);
  return PendingBytesLocked();
}

std::size_t EventOutbox::PendingBytesLocked() const {
  std::size_t total = 0;
  for (std::uint64_t seg : segments_) {
    std::size_t size = FileSize(SegmentPath(seg));
    std::uint64_t ack = ReadAck(seg);
    total += size > ack ? size - ack : 0;
  }
  return total;
}

void EventOutbox::EnforceCapLocked() {
  if (PendingBytesLocked() <= options_.max_bytes) return;
  if (!cap_logged_) {
    log_(LOG_WARNING, "outbox: over its cap of " + std::to_string(options_.max_bytes) +
                          " bytes while the central is unreachable; dropping the oldest allow "
                          "events (denials are kept)");
    cap_logged_ = true;
  }
  // Closed segments only (never the active one), oldest first.
  for (std::size_t i = 0; i + 1 < segments_.size() && PendingBytesLocked() > options_.max_bytes;
       ++i) {
    std::uint64_t seg = segments_[i];
    std::string path = SegmentPath(seg);
    std::uint64_t ack = ReadAck(seg);
    std::size_t size = FileSize(path);
    std::string data = ack < size ? ReadRange(path, ack, size - ack) : std::string();
    std::string kept;
    std::uint64_t removed = 0;
    std::size_t pos = 0;
    while (pos < data.size()) {
      auto nl = data.find('\n', pos);
      if (nl == std::string::npos) break;
      std::string_view line(data.data() + pos, nl - pos);
      if (line.find(kAllowMarker) == std::string_view::npos) {
        kept.append(line).append("\n");
      } else {
        ++removed;
      }
      pos = nl + 1;
    }
    if (kept.size() == data.size()) continue;
    if (common::WriteFileAtomic(path, kept, 0600)) {
      unlink(AckPath(seg).c_str());
      dropped_ += removed;
    }
  }
}

}  // namespace staffgate::agent
