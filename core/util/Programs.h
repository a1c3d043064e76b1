#pragma once
#include <QString>

namespace acquila::util {

/**
 * Path of one of Acquila's helper programs (acquila-worker, acquila-reader): the
 * environment variable `envVar` when set (tests and sanitizer builds point it elsewhere),
 * else `name` beside the running executable. Needs the application object.
 */
QString helperProgram(const QString& name, const char* envVar);

}  // namespace acquila::util
