#pragma once
#include "core/model/DeviceDescription.h"
#include "core/plan/Plan.h"
#include "core/util/Result.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QMenu;
class QPlainTextEdit;
class QTableWidget;
class QTimer;

namespace acquila::ui::window {

/**
 * The plan editor: scan type, axes, detectors, settle/exposure, repeats,
 * title, metadata and run properties, validated as the user types with the
 * plan loader's own messages (the offending field turns red, the message is
 * its tooltip). Loads and saves plan JSON, remembers recent plans and the last
 * plan in QSettings. Plan files (and the CSV files they name) are read on the
 * thread pool; saving writes on the user's save. GUI thread only.
 */
class PlanEditor : public QWidget {
    Q_OBJECT
public:
    explicit PlanEditor(QWidget* parent = nullptr);

    /** Devices as the workers described them: fills the axis and detector choices and validates against them. */
    void setDevices(const std::vector<model::DeviceDescription>& devices);
    /** Shows `plan` in the form. */
    void setPlan(const plan::Plan& plan);
    /** The form's plan, parsed and validated; the error is the loader's or validator's message. */
    util::Result<plan::Plan> plan() const;
    /** Current validation message (empty when valid). */
    QString validationError() const { return error_; }
    /** Re-validates now (normally done on a zero-delay timer after each edit). */
    void validateNow();

    /** Sets `device`'s property `id` for the run in the plan's "properties" (from the devices panel). */
    void setRunProperty(const QString& device, const QString& id, const QVariant& value);

    /**
     * Reads and parses `path` (and a CSV file it names) off the GUI thread, then shows
     * the plan, or its error under the form as before, and emits fileLoaded(). A later
     * load supersedes one still reading.
     */
    void loadFile(const QString& path);
    bool saveFile(const QString& path, QString* error);
    static QStringList recentPlans();

    /** The widget that shows the field at a JSON pointer ("/axes/0/stop" gives the axes table); for tests. */
    QWidget* fieldWidget(const QString& pointer) const;
    QLineEdit* nameEdit() const { return name_; }
    QTableWidget* axesTable() const { return axes_; }
    QLabel* errorLabel() const { return errorLabel_; }
    /** Axis table cell holding `field` ("start", "stop", "steps", "center") of row `row`; for tests. */
    void setAxisField(int row, const QString& field, const QString& text);

signals:
    /** Validity changed or the form was edited; `error` is empty when valid. */
    void validated(const QString& error);
    /** A plan file was loaded or saved (for the recent list). */
    void planFileUsed(const QString& path);
    /** A loadFile() ended: `error` is empty when the plan is now in the form. */
    void fileLoaded(const QString& path, const QString& error);

private:
    void buildForm();
    QJsonObject formJson(QString* jsonError) const;
    void addAxisRow(const plan::AxisSpec& a);
    void updateTypeFields();
    void highlight(const QString& pointer, const QString& message);
    void clearHighlight();
    void scheduleValidation();
    void addRecent(const QString& path);
    void rebuildRecentMenu();
    void loadInteractive();
    void saveInteractive();

    QLineEdit* name_;
    QLineEdit* title_;
    QComboBox* type_;
    QCheckBox* snake_;
    QLineEdit* countPoints_;
    QLineEdit* interval_;
    QLineEdit* radius_;
    QLineEdit* step_;
    QTableWidget* axes_;
    QListWidget* detectors_;
    QLineEdit* settle_;
    QLineEdit* exposure_;
    QLineEdit* repeats_;
    QPlainTextEdit* metadata_;
    QPlainTextEdit* properties_;
    QLabel* errorLabel_;
    QMenu* recentMenu_;
    QTimer* validateTimer_;
    QList<QWidget*> typeRows_[5];
    std::vector<model::DeviceDescription> devices_;
    QStringList axisNames_;
    QJsonObject base_;        // fields of the last loaded plan the form does not show
    QJsonArray listPoints_;   // list scans: the table rows
    QString error_;
    QWidget* highlighted_ = nullptr;
    bool loading_ = false;
    quint64 loadRequest_ = 0;  // the newest loadFile(); replies of older ones are dropped
};

}  // namespace acquila::ui::window
