import CORSCommandLine

runCORSCommand()
