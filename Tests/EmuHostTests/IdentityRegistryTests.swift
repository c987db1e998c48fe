@testable import EmuHostCore
import Testing

/// Access keys decide the account and principal of every request; STS credentials expire on the host clock.
@Suite struct IdentityRegistryTests {
    let clock = HostClock()

    @Test func aTwelveDigitKeyIsThatAccount() {
        let registry = IdentityRegistry(clock: clock, defaultAccountId: "000000000000")
        let identity = registry.resolve("123456789012")
        #expect(identity.accountId == "123456789012")
        #expect(identity.principalArn == "arn:aws:iam::123456789012:root")
    }

    @Test(arguments: [nil, "test", "AKIAIOSFODNN7EXAMPLE", "12345678901", "1234567890123", "12345678901x"])
    func anyOtherKeyIsTheDefaultAccount(_ key: String?) {
        let registry = IdentityRegistry(clock: clock, defaultAccountId: "111122223333")
        let identity = registry.resolve(key)
        #expect(identity.accountId == "111122223333")
        #expect(identity.principalArn == "arn:aws:iam::111122223333:root")
    }

    @Test func registeredKeyIsTheAssumedRole() {
        let registry = IdentityRegistry(clock: clock, defaultAccountId: "000000000000")
        let arn = "arn:aws:sts::444455556666:assumed-role/Admin/session"
        registry.register(accessKeyId: "ASIAEXAMPLE", identity: Identity(
            accountId: "444455556666", principalArn: arn, secretAccessKey: "secret", expiresMilliseconds: nil))
        #expect(registry.lookup("ASIAEXAMPLE")?.principalArn == arn)
        #expect(registry.resolve("ASIAEXAMPLE").accountId == "444455556666")
        #expect(registry.lookup("ASIAOTHER") == nil)
    }

    @Test func credentialsExpireOnTheHostClock() {
        let registry = IdentityRegistry(clock: clock, defaultAccountId: "000000000000")
        registry.register(accessKeyId: "ASIAEXPIRING", identity: Identity(
            accountId: "444455556666", principalArn: "arn:aws:sts::444455556666:assumed-role/R/s",
            secretAccessKey: nil, expiresMilliseconds: clock.nowMilliseconds() + 60_000))
        #expect(registry.resolve("ASIAEXPIRING").accountId == "444455556666")
        clock.advance(milliseconds: 61_000)
        #expect(registry.lookup("ASIAEXPIRING") == nil)
        #expect(registry.resolve("ASIAEXPIRING").principalArn == "arn:aws:iam::000000000000:root")
    }

    @Test func removeAllForgetsRegisteredKeys() {
        let registry = IdentityRegistry(clock: clock, defaultAccountId: "000000000000")
        registry.register(accessKeyId: "ASIAGONE", identity: Identity(
            accountId: "444455556666", principalArn: "arn:aws:sts::444455556666:assumed-role/R/s",
            secretAccessKey: nil, expiresMilliseconds: nil))
        registry.removeAll()
        #expect(registry.lookup("ASIAGONE") == nil)
    }
}
