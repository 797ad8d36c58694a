// API10 runs the real Api in Production in process, and outside Development it refuses to start without the
// deny-list's Redis: one real container for the assembly.
[assembly: AssemblyFixture(typeof(SecureStack.Testing.AssemblyRedis))]
