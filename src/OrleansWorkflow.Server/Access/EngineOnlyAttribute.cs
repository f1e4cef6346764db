namespace OrleansWorkflow.Access;

/// <summary>
/// A grain interface only the engine calls (delivering messages, running scripts on HPC machines, recording job ends,
/// keeping API keys): <see cref="EngineCallFilter"/> refuses its methods to clients connected through a gateway.
/// </summary>
[AttributeUsage(AttributeTargets.Interface, Inherited = false)]
internal sealed class EngineOnlyAttribute : Attribute;
