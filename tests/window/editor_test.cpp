// The plan editor: validation as you type with the loader's messages, save and reload.
#include "UiTestSupport.h"

#include "ui/window/PlanEditor.h"
#include "ui/window/RunControls.h"

#include <QAction>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QTableWidget>

using namespace acquila;
using namespace acquila::test;

class EditorTest : public UiFixture {};

TEST_F(EditorTest, FlagsInvalidFieldsWithTheLoadersMessages) {
    auto w = makeWindow(1, false);
    ui::window::PlanEditor* ed = w->planEditor();
    QString error;
    ASSERT_TRUE(loadPlan(*ed, sourcePath(QStringLiteral("resources/plans/grid-stage.json")), &error)) << error.toStdString();
    EXPECT_TRUE(ed->validationError().isEmpty()) << ed->validationError().toStdString();

    // Out of the axis limits: the validator's message, on the cell.
    ed->setAxisField(1, QStringLiteral("stop"), QStringLiteral("250"));
    ASSERT_TRUE(waitUntil([&] { return !ed->validationError().isEmpty(); }, std::chrono::seconds(5)));
    plan::Plan expected = planFile(QStringLiteral("grid-stage.json"));
    expected.axes[1].stop = 250;
    expected.sourceFile.clear();
    EXPECT_EQ(ed->validationError(), plan::validatePlan(expected, w->engine()->devices()));
    EXPECT_TRUE(ed->validationError().contains(QStringLiteral("/axes/1/stop"))) << ed->validationError().toStdString();
    QTableWidgetItem* cell = ed->axesTable()->item(1, 2);
    EXPECT_EQ(cell->toolTip(), ed->validationError());
    EXPECT_EQ(cell->background().color(), QColor(255, 214, 214));
    EXPECT_EQ(ed->errorLabel()->text(), ed->validationError());
    // Start refuses and says why.
    w->runControls()->startAction()->trigger();
    EXPECT_TRUE(w->runControls()->statusText().contains(QStringLiteral("/axes/1/stop")));
    EXPECT_FALSE(w->isRunActive());

    // Text where a number belongs: the parser's message, exactly as for a file.
    ed->setAxisField(1, QStringLiteral("stop"), QStringLiteral("100"));
    ed->setAxisField(0, QStringLiteral("steps"), QStringLiteral("ten"));
    ed->validateNow();
    QJsonObject json = planFile(QStringLiteral("grid-stage.json")).toJson();
    QJsonArray axes = json[QStringLiteral("axes")].toArray();
    QJsonObject a0 = axes[0].toObject();
    a0[QStringLiteral("steps")] = QStringLiteral("ten");
    axes[0] = a0;
    json[QStringLiteral("axes")] = axes;
    auto parsed = plan::parsePlan(QJsonDocument(json).toJson(), QStringLiteral("plan"));
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(ed->validationError(), parsed.error());
    EXPECT_EQ(ed->axesTable()->item(0, 3)->toolTip(), parsed.error());

    // A bad name turns the name field red; fixing everything clears it.
    ed->setAxisField(0, QStringLiteral("steps"), QStringLiteral("31"));
    ed->nameEdit()->setText(QStringLiteral("bad name!"));
    ed->validateNow();
    EXPECT_TRUE(ed->validationError().contains(QStringLiteral("/name"))) << ed->validationError().toStdString();
    EXPECT_EQ(ed->nameEdit()->toolTip(), ed->validationError());
    EXPECT_FALSE(ed->nameEdit()->styleSheet().isEmpty());
    ed->nameEdit()->setText(QStringLiteral("grid-stage"));
    ed->validateNow();
    EXPECT_TRUE(ed->validationError().isEmpty()) << ed->validationError().toStdString();
    EXPECT_TRUE(ed->nameEdit()->styleSheet().isEmpty());
    closeWindow(*w);
}

TEST_F(EditorTest, SavedPlanReloadsIdentically) {
    auto w = makeWindow(1, false);
    ui::window::PlanEditor* ed = w->planEditor();
    for (const QString& name : {QStringLiteral("grid-stage.json"), QStringLiteral("fault-crash.json"),
                               QStringLiteral("spiral-stage.json"), QStringLiteral("list-stage.json"),
                               QStringLiteral("count-timeseries.json")}) {
        QString error;
        ASSERT_TRUE(loadPlan(*ed, sourcePath(QStringLiteral("resources/plans/") + name), &error)) << error.toStdString();
        auto inEditor = ed->plan();
        ASSERT_TRUE(inEditor.ok()) << name.toStdString() << ": " << inEditor.error().toStdString();
        EXPECT_TRUE(*inEditor == planFile(name)) << name.toStdString() << " changed on its way through the editor";
        const QString path = dataDir_.filePath(name);
        ASSERT_TRUE(ed->saveFile(path, &error)) << error.toStdString();
        auto reloaded = plan::loadPlanFile(path);
        ASSERT_TRUE(reloaded.ok()) << reloaded.error().toStdString();
        EXPECT_TRUE(*reloaded == *inEditor) << name.toStdString();
        EXPECT_EQ(ui::window::PlanEditor::recentPlans().value(0), path);
    }
    closeWindow(*w);
}
