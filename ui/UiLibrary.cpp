// Anchor translation unit of acquila_ui.
namespace acquila::ui {
const char* libraryName() { return "acquila_ui"; }
}  // namespace acquila::ui
