namespace OrleansWorkflow.Simulations.Machines;

/// <summary>
/// Where a machine runs the jobs of incidents of one urgency, bound from "Hpc:Machines:&lt;name&gt;:Urgency:&lt;urgency&gt;"
/// (e.g. Emergency: Partition "urgent", Qos "high"). A request's own fields win over these.
/// </summary>
public sealed class UrgencyPlacement
{
    /// <summary>The Slurm partition, or PBS queue.</summary>
    public string? Partition { get; set; }
    /// <summary>The Slurm quality of service.</summary>
    public string? Qos { get; set; }
    /// <summary>The account charged.</summary>
    public string? Account { get; set; }
    /// <summary>The reservation.</summary>
    public string? Reservation { get; set; }

    /// <summary><paramref name="request"/> with its unset placement fields taken from this.</summary>
    public SimulationRequest Place(SimulationRequest request) => request with
    {
        Partition = request.Partition ?? Partition,
        Qos = request.Qos ?? Qos,
        Account = request.Account ?? Account,
        Reservation = request.Reservation ?? Reservation,
    };
}
