[assembly: AssemblyFixture(typeof(Faultline.Testing.PostgresServer))]
