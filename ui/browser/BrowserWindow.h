#pragma once
#include "ui/browser/H5Values.h"
#include <QMainWindow>

class QAction;
class QLabel;
class QMenu;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QTabWidget;
class QTableWidget;
class QTimer;
class QTreeView;

namespace acquila::ui::browser {

class BrowserLoader;
class H5TreeModel;
class PreviewWidget;

/**
 * The HDF5 browser: a lazily loaded tree, attributes and values of the selected
 * object, a preview (line, image, N-D slices, tables, text), follow-live for
 * files still being written, export to CSV/.npy, recent files and drag-and-drop.
 * Every file read happens on the browser loader thread. GUI thread only.
 */
class BrowserWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit BrowserWindow(QWidget* parent = nullptr);
    ~BrowserWindow() override;

    /** Opens `file` (asynchronously); errors and notices appear in the window. */
    void openFile(const QString& file);
    /** Selects the object at `path` if its row is loaded; returns false otherwise. */
    bool selectPath(const QString& path);
    /** Turns follow-live on or off (refresh at 2 Hz until /entry/status is final). */
    void setFollowing(bool on);
    bool following() const;

    /** For tests and the main window. */
    H5TreeModel* model() const { return model_; }
    QTreeView* tree() const { return tree_; }
    PreviewWidget* preview() const { return preview_; }
    BrowserLoader* loader() const { return loader_; }
    const OpenReply& openReply() const { return open_; }
    /** The error or notice banner text (empty when hidden). */
    QString bannerText() const;
    QString selectedPath() const { return selected_; }
    static QStringList recentFiles();

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void buildActions();
    void onOpened(const OpenReply& reply);
    void onSelection();
    void requestPreview(bool withDetails);
    void onDetails(const ObjectDetails& details);
    void onRefreshed(const RefreshReply& reply);
    void onFollowTick();
    void showSummary(const RunSummary& summary);
    void showBanner(const QString& text, bool error);
    void exportSelected(ExportFormat format);
    void addRecent(const QString& file);
    void rebuildRecentMenu();

    BrowserLoader* loader_;
    H5TreeModel* model_;
    QTreeView* tree_;
    PreviewWidget* preview_;
    QLabel* summary_;
    QPushButton* planButton_;
    QLabel* banner_;
    QProgressBar* busy_;
    QPushButton* cancelButton_;
    QTabWidget* tabs_;
    QTableWidget* attributes_;
    QTableWidget* values_;
    QPlainTextEdit* valueText_;
    QMenu* recentMenu_ = nullptr;
    QAction* followAction_ = nullptr;
    QTimer* followTimer_;
    OpenReply open_;
    QString selected_;
    bool refreshPending_ = false;
};

}  // namespace acquila::ui::browser
