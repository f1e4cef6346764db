using OrleansWorkflow.Tests.Infrastructure;
using OrleansWorkflow.Simulations.Machines;

namespace OrleansWorkflow.Tests.Simulations;

[Trait(Lanes.Category, Lanes.ServiceFree)]
public sealed class KnownHostTests
{
    private const string Key = "AAAAC3NzaC1lZDI1NTE5AAAAIDrnmyrHjKtBMvuUO0ZuGDHcKEaQDxicRD2sWXYDGUdG";

    [Theory]
    [InlineData("[127.0.0.1]:2222 ssh-ed25519 " + Key)]
    [InlineData("login.archer.ac.uk,193.62.216.1 ssh-ed25519 " + Key + " comment")]
    [InlineData("ssh-ed25519 " + Key)]
    public void A_known_hosts_line_pins_its_key_type_and_key(string line)
    {
        var pin = KnownHost.Parse(line, "setting");

        Assert.Equal("ssh-ed25519", pin.KeyType);
        Assert.True(pin.Matches(Convert.FromBase64String(Key)));
        Assert.False(pin.Matches(Convert.FromBase64String(Key)[..^1]));
    }

    [Fact]
    public void The_fingerprint_reads_as_ssh_keygen_prints_it()
    {
        // What `ssh-keygen -lf` printed for this key here.
        Assert.Equal("SHA256:pmQosvawWZiv1U4zu5kLvWIys6es62jLna3VPuzYY3A", KnownHost.Parse("ssh-ed25519 " + Key, "setting").Fingerprint);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[127.0.0.1]:2222")]
    [InlineData("host ssh-ed25519 not-base64!")]
    public void A_line_that_is_no_known_hosts_entry_is_refused_naming_the_setting(string line)
    {
        var error = Assert.Throws<ArgumentException>(() => KnownHost.Parse(line, "Hpc:Machines:x:KnownHost"));
        Assert.Contains("Hpc:Machines:x:KnownHost", error.Message);
    }
}
