#pragma once
#include <QString>

namespace acquila::engine {

/**
 * The private directory of one app session (docs/architecture.md, "Processes
 * and threads"): `acquila-<pid>-XXXXXX`, mode 0700, created with mkdtemp in
 * privateDirectoryParent(). Session directories left there by processes that
 * are gone are removed first (removeStaleSessionDirectories). Empty on
 * failure, with errno set.
 */
QString makePrivateDirectory();

/** $XDG_RUNTIME_DIR when it is a directory of ours that nobody else can enter, else the temporary directory. */
QString privateDirectoryParent();

/**
 * Removes one session directory and only what a session puts in it
 * (`workers.sock`, `worker-<n>.box`), never following a link: a symbolic
 * link, a directory that is not ours or not 0700, and every entry a session
 * does not create are left where they are and logged. True when the
 * directory is gone (or was never there).
 */
bool removeSessionDirectory(const QString& path);

/** Removes the `acquila-<pid>-*` session directories in `parent` whose process is gone; returns how many. */
int removeStaleSessionDirectories(const QString& parent);

}  // namespace acquila::engine
