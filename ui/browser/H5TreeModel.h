#pragma once
#include "ui/browser/H5Values.h"
#include <QAbstractItemModel>
#include <QHash>
#include <memory>
#include <vector>

namespace acquila::ui::browser {

class BrowserLoader;

/**
 * Tree of the open file's groups, datasets, named datatypes and links, loaded
 * lazily: a group's children are requested from the loader thread when the view
 * asks (canFetchMore/fetchMore), a page at a time. GUI thread only.
 * Columns: name, kind (NX_class, link target), shape, datatype, size on disk.
 */
class H5TreeModel : public QAbstractItemModel {
    Q_OBJECT
public:
    enum Column { NameColumn, KindColumn, ShapeColumn, TypeColumn, SizeColumn, ColumnCount };
    static constexpr qint64 kPageSize = 500;

    /** `loader` is not owned and must outlive the model. */
    explicit H5TreeModel(BrowserLoader* loader, QObject* parent = nullptr);
    ~H5TreeModel() override;

    /** Starts a new tree whose root is `root` (after the loader opened a file). */
    void reset(const NodeInfo& root);
    void clear();

    /** The node shown at `index` (the root for an invalid index). */
    const NodeInfo& node(const QModelIndex& index) const;
    /** The index of `path` if it is already loaded, else invalid. */
    QModelIndex indexOf(const QString& path) const;
    /** Replaces the shape/type/size of the loaded node with the same path. */
    void updateNode(const NodeInfo& info);
    /** True while some group's children have been requested but not yet received. */
    bool fetching() const { return pending_ > 0; }

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    bool hasChildren(const QModelIndex& parent = {}) const override;
    bool canFetchMore(const QModelIndex& parent) const override;
    void fetchMore(const QModelIndex& parent) override;

signals:
    /** A group could not be listed; `message` names the file and the group. */
    void loadError(const QString& message);

private:
    struct Node {
        NodeInfo info;
        Node* parent = nullptr;
        int row = 0;
        std::vector<std::unique_ptr<Node>> children;
        qint64 total = -1;  // children in the file, -1 until the first page arrived
        bool fetching = false;
    };
    Node* nodeOf(const QModelIndex& index) const;
    QModelIndex indexOfNode(const Node* node, int column = 0) const;
    void onChildren(const ChildrenPage& page);

    BrowserLoader* loader_;
    std::unique_ptr<Node> root_;
    QHash<QString, Node*> byPath_;
    int pending_ = 0;
};

}  // namespace acquila::ui::browser
