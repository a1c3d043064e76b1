// Anchor translation unit of acquila_ui_browser.
namespace acquila::ui {
const char* browserLibraryName() { return "acquila_ui_browser"; }
}  // namespace acquila::ui
