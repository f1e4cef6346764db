namespace OrleansWorkflow.Simulations.Machines;

/// <summary>The machine (or its scheduler) gave no usable answer. Never a sign that a job ended.</summary>
public class MachineUnreachableException(string machine, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The machine's configured name.</summary>
    public string Machine { get; } = machine;
}

/// <summary>The machine offered a host key other than the pinned one: no connection was made.</summary>
public sealed class HostKeyMismatchException(string machine, string message) : MachineUnreachableException(machine, message);
