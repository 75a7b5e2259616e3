#include "functional/cpu_cache.h"

#include <fstream>
#include <string>

namespace neuromod::functional::detail {

int64_t cpu_cache_bytes(int level) {
  for (int index = 0; index < 8; ++index) {
    const std::string dir = "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(index);
    std::ifstream level_file(dir + "/level");
    int value = 0;
    if (!(level_file >> value)) break;
    if (value != level) continue;
    std::ifstream type_file(dir + "/type");
    std::string type;
    if ((type_file >> type) && type == "Instruction") continue;
    std::ifstream size(dir + "/size");
    int64_t amount = 0;
    std::string unit;
    if (!(size >> amount)) return 0;
    size >> unit;  // "32768K"
    return unit == "K" ? amount << 10 : unit == "M" ? amount << 20 : amount;
  }
  return 0;
}

}  // namespace neuromod::functional::detail
