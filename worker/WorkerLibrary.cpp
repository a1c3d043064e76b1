namespace acquila::worker { const char* workerLibraryName() { return "acquila_worker_runtime"; } }
