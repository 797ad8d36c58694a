// One AppHost at a time: two would run Identity and the Api against the same SQLite files under each project's
// .data folder, and two full stacks at once overload a small CI machine.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
