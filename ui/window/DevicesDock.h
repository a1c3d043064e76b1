#pragma once
#include "core/model/DeviceDescription.h"
#include "core/model/ResultBatch.h"

#include <QDockWidget>
#include <QMap>

class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QTreeWidget;
class QTreeWidgetItem;

namespace acquila::ui::window {

/**
 * Every device, grouped by kind, with editors generated from the property
 * declarations (spin boxes with units and limits, combo boxes for allowed
 * values, read-only fields), live actuator positions and a "move to" per axis.
 * It never calls a device: moves and property changes go out as signals.
 * GUI thread only.
 */
class DevicesDock : public QDockWidget {
    Q_OBJECT
public:
    explicit DevicesDock(QWidget* parent = nullptr);

    /** Rebuilds when the devices or their declarations changed; otherwise updates values and positions. */
    void setDevices(const std::vector<model::DeviceDescription>& devices);
    /** Live positions from the axis channels of a batch (its last point). */
    void updatePositions(const model::ResultBatch& batch);
    /** Moves are only possible while no run is active. */
    void setMovesEnabled(bool enabled);

    QString positionText(const QString& axis) const;
    QDoubleSpinBox* targetBox(const QString& axis) const { return targets_.value(axis); }
    QPushButton* moveButton(const QString& axis) const { return moves_.value(axis); }
    /** The editor widget of a property, for tests. */
    QWidget* propertyEditor(const QString& device, const QString& id) const { return editors_.value(device + QLatin1Char('/') + id); }
    QTreeWidget* tree() const { return tree_; }

signals:
    void moveRequested(const QString& axis, double position);
    /** The user changed a property: applied to the next run's plan. */
    void propertyEdited(const QString& device, const QString& id, const QVariant& value);

private:
    void rebuild(const std::vector<model::DeviceDescription>& devices);
    /** The lab's devices the workers could not open, each with its reason. */
    void addUnavailable(const std::vector<model::DeviceDescription>& devices);
    QWidget* makeEditor(const model::DeviceDescription& d, const model::PropertyDecl& p);
    void setPosition(const QString& axis, double value);

    QTreeWidget* tree_;
    QString signature_;
    QMap<QString, QLabel*> positions_;
    QMap<QString, QString> units_;
    QMap<QString, QDoubleSpinBox*> targets_;
    QMap<QString, QPushButton*> moves_;
    QMap<QString, QWidget*> editors_;  // "device/property" -> editor
    bool updating_ = false;
};

}  // namespace acquila::ui::window
