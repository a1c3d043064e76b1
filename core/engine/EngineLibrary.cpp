// Anchor translation unit of acquila_core's engine part.
namespace acquila::core {
const char* engineLibraryName() { return "acquila_core"; }
}  // namespace acquila::core
