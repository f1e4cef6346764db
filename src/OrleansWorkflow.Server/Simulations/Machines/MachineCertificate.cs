using Renci.SshNet;

namespace OrleansWorkflow.Simulations.Machines;

/// <summary>A machine's login: its private key, with its OpenSSH user certificate when one is configured.</summary>
internal static class MachineCertificate
{
    /// <summary>The key file to log in with, read now (a certificate the site's tool refreshed is picked up).</summary>
    public static PrivateKeyFile Login(MachineOptions machine) =>
        machine.Certificate.Length > 0 ? new PrivateKeyFile(machine.PrivateKey, null, machine.Certificate) : new PrivateKeyFile(machine.PrivateKey);

    /// <summary>When the machine's certificate stops being valid; null when it logs in with a key alone.</summary>
    public static DateTimeOffset? ValidBefore(MachineOptions machine)
    {
        if (machine.Certificate.Length == 0)
            return null;
        using var login = Login(machine);
        return login.Certificate!.ValidBefore;
    }

    /// <summary>Why the certificate cannot be used with the key, or null.</summary>
    public static string? Problem(MachineOptions machine)
    {
        if (!File.Exists(machine.Certificate))
            return "is not a file; set the path of the OpenSSH certificate (-cert.pub) of the private key, or leave it empty to log in with the key alone.";
        try
        {
            _ = ValidBefore(machine);
            return null;
        }
        catch (Exception e) when (e is Renci.SshNet.Common.SshException or ArgumentException or FormatException or InvalidOperationException)
        {
            return $"cannot be read as an OpenSSH certificate of the private key ({e.Message}).";
        }
    }
}
