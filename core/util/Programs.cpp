#include "core/util/Programs.h"

#include <QCoreApplication>

namespace acquila::util {

QString helperProgram(const QString& name, const char* envVar) {
    const QString env = qEnvironmentVariable(envVar);
    return env.isEmpty() ? QCoreApplication::applicationDirPath() + '/' + name : env;
}

}  // namespace acquila::util
