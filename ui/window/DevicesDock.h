#pragma once
#include "core/engine/EngineTypes.h"
#include "core/model/DeviceDescription.h"
#include "core/model/ResultBatch.h"

#include <QDockWidget>
#include <QMap>

class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QToolButton;
class QTreeWidget;
class QTreeWidgetItem;

namespace acquila::ui::window {

/**
 * Every device, grouped by kind, with editors generated from the property
 * declarations (spin boxes with units and limits, combo boxes for allowed
 * values, read-only fields), live actuator positions and a "move to" per axis,
 * a "Set now" per writable property, and a line under the tree with the
 * outcome of the last move or set (the value read back, or the error). While no
 * run is active, the monitored values (axis positions, properties a driver
 * marks monitored) follow the engine's monitors. It never calls a device:
 * moves, sets and property changes go out as signals. GUI thread only.
 */
class DevicesDock : public QDockWidget {
    Q_OBJECT
public:
    explicit DevicesDock(QWidget* parent = nullptr);

    /** Rebuilds when the devices or their declarations changed; otherwise updates values and positions. */
    void setDevices(const std::vector<model::DeviceDescription>& devices);
    /** Live positions from the axis channels of a batch (its last point). */
    void updatePositions(const model::ResultBatch& batch);
    /** Moves and set-now are only possible while no run is active. */
    void setMovesEnabled(bool enabled);
    /** Shows that a move or a set was sent and is waiting for the workers. */
    void showPending(const QString& text);
    /** Shows the outcome of a move or a set: the value read back, or the error in red. */
    void showResult(const engine::SetNowResult& result);
    /** Live readbacks while no run is active: positions and monitored properties (an editor being edited is left alone). */
    void updateMonitors(const engine::MonitorValues& values);
    /** The line under the tree: the last move's or set's outcome. */
    QString resultText() const;

    QString positionText(const QString& axis) const;
    QDoubleSpinBox* targetBox(const QString& axis) const { return targets_.value(axis); }
    QPushButton* moveButton(const QString& axis) const { return moves_.value(axis); }
    /** The editor widget of a property, for tests. */
    QWidget* propertyEditor(const QString& device, const QString& id) const { return editors_.value(device + QLatin1Char('/') + id); }
    /** The "Set now" button of a writable property, for tests. */
    QToolButton* setNowButton(const QString& device, const QString& id) const { return setButtons_.value(device + QLatin1Char('/') + id); }
    QTreeWidget* tree() const { return tree_; }

signals:
    void moveRequested(const QString& axis, double position);
    /** The user changed a property: applied to the next run's plan. */
    void propertyEdited(const QString& device, const QString& id, const QVariant& value);
    /** "Set now" on a property ("DEVICE.PROPERTY"): apply the editor's value at once (Engine::setNow). */
    void setNowRequested(const QString& target, const QVariant& value);

private:
    void rebuild(const std::vector<model::DeviceDescription>& devices);
    /** The lab's devices the workers could not open, each with its reason. */
    void addUnavailable(const std::vector<model::DeviceDescription>& devices);
    QWidget* makeEditor(const model::DeviceDescription& d, const model::PropertyDecl& p);
    void setPosition(const QString& axis, double value);
    /** Shows `value` in an editor without emitting propertyEdited. */
    void setEditorValue(QWidget* editor, const QVariant& value);

    QTreeWidget* tree_;
    QString signature_;
    QMap<QString, QLabel*> positions_;
    QMap<QString, QString> units_;
    QMap<QString, QDoubleSpinBox*> targets_;
    QMap<QString, QPushButton*> moves_;
    QMap<QString, QWidget*> editors_;  // "device/property" -> editor
    QMap<QString, QToolButton*> setButtons_;  // "device/property" -> "Set now", writable properties only
    QLabel* result_;  // the outcome of the last move or set
    bool updating_ = false;
};

}  // namespace acquila::ui::window
