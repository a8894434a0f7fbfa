import CORSCommandLine

await runCORSCommand()
