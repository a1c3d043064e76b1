#pragma once
class QThread;

namespace acquila::ui::browser {

/**
 * The process's one browser loader thread. Every browser window's LoaderWorker
 * lives in it, so HDF5 is touched by one thread per process however many
 * windows are open (docs/architecture.md, "Processes and threads"). Started on
 * first use; stopped when the application object is destroyed, waiting at most
 * `kStopWaitMs` for a read in progress (one that does not end by then is left
 * to the exiting process rather than terminated inside HDF5).
 */
class LoaderService {
public:
    static constexpr int kStopWaitMs = 2000;

    /** The loader thread, started on first use. GUI thread only. */
    static QThread* thread();
    /** Stops the thread (also run automatically when the application object is destroyed). */
    static void stop();
};

}  // namespace acquila::ui::browser
