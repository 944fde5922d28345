namespace NodeNomad.Console.Fleet;

/// <summary>How far a draining node has come, in leaderships and replicas handed over, as the console saw it.</summary>
/// <param name="From">The most leaderships and replicas the console saw the node hold since it began draining.</param>
/// <param name="Left">The leaderships and replicas it holds now, as the cluster map says.</param>
public sealed record DrainProgress(int From, int Left)
{
    /// <summary>The share handed over, 0 to 100; 100 for a node that held nothing.</summary>
    public double Percent => From <= 0 ? 100 : Math.Clamp(100.0 * (From - Left) / From, 0, 100);
}
