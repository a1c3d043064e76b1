#pragma once
#include <QJsonValue>
#include <QString>

namespace acquila::ui::window {

/**
 * The JSON value a form field's text stands for: a number when the text is
 * one, else the text itself, so the plan loader reports the field exactly as
 * it would in a file ("expected a number, got \"ten\""). Empty text is
 * `undefined` (field omitted). Pure function.
 */
QJsonValue fieldValue(const QString& text);

/** The JSON pointer a plan loader/validator message names ("/axes/0/stop"), or empty. */
QString errorPointer(const QString& message);

}  // namespace acquila::ui::window
