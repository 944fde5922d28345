using NodeNomad.Node.Transport;

namespace NodeNomad.Node.Tests.Transport;

/// <summary>The peer transport's test-only delay and loss switch, as the load program's chaos runs write it.</summary>
public sealed class TransportFaultsTests : IDisposable
{
    private readonly string file = Path.Combine(Path.GetTempPath(), $"nodenomad-transport-faults-{Guid.NewGuid():N}");

    [Fact]
    public void a_delay_and_a_loss_are_read_from_the_file()
    {
        File.WriteAllText(file, "delay-ms=300 loss=0.2");

        var fault = new TransportFaults(file).Current.ShouldNotBeNull();

        fault.Delay.ShouldBe(TimeSpan.FromMilliseconds(300));
        fault.Loss.ShouldBe(0.2);
    }

    [Fact]
    public void an_absent_or_empty_file_means_no_fault()
    {
        new TransportFaults(file).Current.ShouldBeNull();
        TransportFaults.Parse("").ShouldBeNull();
        TransportFaults.Parse("delay-ms=0 loss=0").ShouldBeNull();
    }

    [Fact]
    public void a_loss_above_one_drops_everything()
    {
        new TransportFaults(file).Drops(TransportFaults.Parse("loss=5").ShouldNotBeNull()).ShouldBeTrue();
    }

    public void Dispose() => File.Delete(file);
}
