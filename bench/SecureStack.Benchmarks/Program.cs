using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters.Csv;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using SecureStack.Benchmarks;

// A short job run in this process: eng/bench.sh must finish in minutes on two shared cores, and building a
// separate project per benchmark (BenchmarkDotNet's default) would cost more than the measurements. The figures
// are for comparing hot paths before and after a change on one machine, not absolute truths.
var config = ManualConfig.CreateEmpty()
    .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance))
    .AddDiagnoser(MemoryDiagnoser.Default)
    .AddColumnProvider(DefaultColumnProviders.Instance)
    .AddExporter(CsvExporter.Default)
    .AddLogger(BenchmarkDotNet.Loggers.ConsoleLogger.Default)
    .WithOptions(ConfigOptions.JoinSummary);

BenchmarkSwitcher.FromAssembly(typeof(TokenValidationBenchmarks).Assembly).Run(args, config);
