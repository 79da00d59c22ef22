#include "daemon/undo_journal.hpp"

#include <algorithm>
#include <unordered_set>
#include <utility>

#include "common/validation.hpp"
#include "daemon/storage/list_mutations.hpp"

namespace todo {

UndoJournal::UndoJournal(const StoredUndoSequences& stored_steps) {
  const std::vector<std::uint64_t>& stored_sequences = stored_steps.sequences;
  if (stored_steps.has_lost_step) {
    // Which change the lost step reverted is unknown, so an undo could skip
    // it and revert an older one: nothing is undone past it, and nothing
    // before it either. Sequences go on from the newest, as they never
    // repeat.
    has_lost_step_ = true;
    for (std::uint64_t sequence : stored_sequences) {
      next_sequence_ = std::max(next_sequence_, sequence + 1);
    }
    oldest_sequence_ = next_sequence_;
    return;
  }
  if (stored_sequences.empty()) return;
  const std::unordered_set<std::uint64_t> stored(stored_sequences.begin(), stored_sequences.end());
  const std::uint64_t newest = *std::max_element(stored_sequences.begin(), stored_sequences.end());
  next_sequence_ = newest + 1;
  // The journal is the unbroken run of steps that ends with the newest: a
  // step lost (one that did not decode) ends it.
  oldest_sequence_ = newest;
  while (oldest_sequence_ > 1 && stored.contains(oldest_sequence_ - 1)) --oldest_sequence_;
}

void UndoJournal::record(UndoStep step, ListMutations& mutations) {
  if (has_lost_step_) clear(mutations);
  // Counted first: a drop of a big list would otherwise encode it all to
  // find out.
  if (encoded_undo_step_bytes(step) > kMaxStepBytes) {
    clear(mutations);
    has_unrecorded_change_ = true;
    return;
  }
  step.sequence = next_sequence_;
  std::string encoded = encode_undo_step(step);
  unwritten_bytes_ += encoded.size();
  mutations.put_undo_step(slot_of(step.sequence), std::move(encoded));
  ++next_sequence_;
  // The slot it took held the oldest step, when the ring was full.
  oldest_sequence_ = std::max(oldest_sequence_,
                              next_sequence_ - std::min<std::uint64_t>(next_sequence_, kMaxSteps));
  unwritten_.push_back(std::move(step));
}

Result<const UndoStep*> UndoJournal::newest(const StepReader& read) {
  if (has_lost_step_ || is_empty()) return static_cast<const UndoStep*>(nullptr);
  const std::uint64_t newest = next_sequence_ - 1;
  if (!unwritten_.empty() && unwritten_.back().sequence == newest) return &unwritten_.back();
  if (!newest_read_ || newest_read_->sequence != newest) {
    auto stored = read(slot_of(newest));
    if (!stored) return stored.error();
    if (!stored.value() || stored.value()->sequence != newest) {
      return static_cast<const UndoStep*>(nullptr);
    }
    newest_read_ = std::move(stored).value();
  }
  return &*newest_read_;
}

Result<std::optional<UndoStep>> UndoJournal::take_newest(const StepReader& read,
                                                         ListMutations& mutations) {
  if (has_lost_step_) clear(mutations);
  if (is_empty()) return std::optional<UndoStep>();
  const std::uint64_t newest = next_sequence_ - 1;
  std::optional<UndoStep> step;
  if (!unwritten_.empty() && unwritten_.back().sequence == newest) {
    step = std::move(unwritten_.back());
    unwritten_.pop_back();
  } else if (newest_read_ && newest_read_->sequence == newest) {
    step = std::exchange(newest_read_, std::nullopt);
  } else {
    auto stored = read(slot_of(newest));
    if (!stored) return stored.error();
    step = std::move(stored).value();
    if (!step || step->sequence != newest) {
      // Its slot holds another step, or none: the journal on disk is not
      // what this one says, and nothing in it can be trusted to revert.
      clear(mutations);
      return std::optional<UndoStep>();
    }
  }
  mutations.erase_undo_step(slot_of(newest));
  --next_sequence_;
  return step;
}

void UndoJournal::clear(ListMutations& mutations) {
  for (std::size_t slot = 0; slot < kMaxSteps; ++slot) {
    mutations.erase_undo_step(static_cast<std::uint8_t>(slot));
  }
  oldest_sequence_ = next_sequence_;
  unwritten_.clear();
  newest_read_.reset();
  has_lost_step_ = false;
}

void UndoJournal::add_group_hints(const std::string& list_name,
                                  std::vector<UndoHint>& hints) const {
  if (has_unrecorded_change_) hints.push_back(UndoHint::unrecorded_change(list_name));
  if (!unwritten_.empty()) {
    hints.push_back({list_name, unwritten_.front().sequence, unwritten_.back().sequence, {}});
  }
}

Error not_the_newest_step(const std::string& list_name) {
  return Error::not_found("the change asked for is not the newest of list " +
                          quoted_for_message(list_name) + " any more");
}

std::size_t UndoJournal::approximate_bytes() const {
  std::size_t bytes = sizeof(UndoJournal) + unwritten_.capacity() * sizeof(UndoStep);
  const auto add_heap_bytes = [&bytes](const UndoStep& step) {
    bytes += step.added.capacity() * sizeof(EntryId) + step.replaced.capacity() * sizeof(Entry) +
             step.other_list.capacity();
    for (const Entry& entry : step.replaced) bytes += heap_bytes(entry);
  };
  for (const UndoStep& step : unwritten_) add_heap_bytes(step);
  if (newest_read_) add_heap_bytes(*newest_read_);
  return bytes;
}

}  // namespace todo
