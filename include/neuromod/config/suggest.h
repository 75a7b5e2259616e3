#pragma once
/// "Did you mean" suggestions for misspelt keys and values.

#include <optional>
#include <string>
#include <vector>

namespace neuromod::config {

/// Levenshtein edit distance between two strings.
std::size_t edit_distance(const std::string& a, const std::string& b);

/// The candidate closest to `word` if it is close enough to be a plausible typo
/// (at most a third of the word's length in edits, and at least one).
std::optional<std::string> closest_match(const std::string& word,
                                         const std::vector<std::string>& candidates);

/// " (did you mean \"lr\"?)" or an empty string.
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace neuromod::config
