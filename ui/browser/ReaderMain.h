#pragma once

namespace acquila::ui::browser {

/**
 * `acquila-reader serve` (app/reader_main.cpp): the browser's reader. Requests come on
 * stdin, replies go to stdout (ReaderProtocol.h), one at a time, all made by one
 * H5Loader on this thread; SIGUSR1 cancels the read in progress at its next block and
 * long reads send a progress frame every 200 ms. Returns when stdin closes.
 */
int serveReader();

}  // namespace acquila::ui::browser
