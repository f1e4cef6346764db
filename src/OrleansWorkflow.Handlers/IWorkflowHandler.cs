namespace OrleansWorkflow.Handlers;

/// <summary>
/// The grain interface every handler interface derives from, e.g. <c>public interface IFireSimulationHandler : IWorkflowHandler;</c>.
/// A handler grain is keyed by the IncidentID plus the name of the queue it is registered on, so each handler of each
/// incident has its own state row. Orleans runs one call at a time per activation: one message per handler and
/// incident at a time. It has no methods: messages reach a handler only through its queue, and the engine's calls
/// into it are the engine's own (a grain extension of the engine, not part of this interface).
/// </summary>
public interface IWorkflowHandler : IGrainWithGuidCompoundKey;
