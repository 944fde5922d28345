namespace NodeNomad.Console.Security;

/// <summary>Who may do what.</summary>
public static class Roles
{
    /// <summary>The signed-in operator.</summary>
    public const string Admin = "admin";

    /// <summary>A node of the cluster, at the fleet hub only.</summary>
    public const string Node = "node";
}
